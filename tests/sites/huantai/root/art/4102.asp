<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>桓台县2022年政府信息公开工作年度报告新闻发布会</title></head><body><table class="main"><tr><td class="art_title"><h1>桓台县2022年政府信息公开工作年度报告新闻发布会</h1></td></tr>
<tr><td class="art_info">发布时间：2023-01-28　来源：桓台县人民政府办公室　点击数：</td></tr>
<tr><td class="art_content"><div class="content"><p class="syn">【合成测试数据】本页为测试用合成页面，不是真实的政府网页。</p><p>桓台县2022年政府信息公开工作年度报告新闻发布会</p><p>本报告由桓台县人民政府办公室编制。本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。</p><p>一、总体情况</p><p>2022年，主动公开政府信息254条(合成测试数据)。</p></div></td></tr></table></body></html>