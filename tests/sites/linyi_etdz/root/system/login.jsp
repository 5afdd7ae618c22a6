<!DOCTYPE html>
<html><head><meta charset="UTF-8" /><title>用户登录</title></head>
<body>
<!-- 【合成测试数据】The login wall behind content.jsp?urltype=news.NewsContentUrl (unpublished items). -->
<form name="loginform" action="/system/login.jsp" method="post">
  <p>请先登录后查看该信息。</p>
  <input type="text" name="username" /> <input type="password" name="password" />
  <input type="submit" value="登录" />
</form>
</body></html>
