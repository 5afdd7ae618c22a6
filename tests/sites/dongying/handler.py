"""dataproxy.jsp answers an empty list unless the Referer is the column page of the columnid
asked for (docs/portals.md §1.6); everything else falls through to routes.json."""

from crawler.mirror.server import MirrorResponse

EMPTY = b'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<recordset>\n</recordset>\n</datastore>\n'


def handle(request, mirror):
    if not request.path.endswith("/dataproxy.jsp"):
        return None
    referer = next((v for k, v in request.headers.items() if k.lower() == "referer"), "")
    if f"/col/col{request.params.get('columnid')}/" not in referer:
        return MirrorResponse(200, {"Content-Type": "text/xml; charset=utf-8"}, EMPTY)
    return None
