"""What routes.json cannot express for the linyi_etdz mirror:

- download.jsp wbfileid=4500002 names its file in a raw GBK Content-Disposition (no RFC 5987);
- virtual_attach_file.vsb answers 403 without a same-site Referer (docs/portals.md §6.4)."""

from crawler.mirror.server import MirrorResponse

GBK_NAME = "临沂经济技术开发区2021年政府信息公开工作年度报告.docx".encode("gbk")


def handle(request, mirror):
    if request.path == "/system/_content/download.jsp" and request.params.get("wbfileid") == "4500002":
        # http.server writes header values as latin-1, so a latin-1 str of the GBK bytes goes out raw.
        disposition = 'attachment; filename="' + GBK_NAME.decode("latin-1") + '"'
        headers = {"Content-Type": "application/octet-stream", "Content-Disposition": disposition}
        return MirrorResponse(200, headers, mirror.read("_files/4500002.docx"))
    if request.path == "/virtual_attach_file.vsb":
        referer = next((v for k, v in request.headers.items() if k.lower() == "referer"), "")
        if not referer.startswith(mirror.base_url + "/"):
            return MirrorResponse(403, {"Content-Type": "text/html; charset=utf-8"}, b"<html><body>403 Forbidden</body></html>")
    return None
