"""Rebuild the synthetic .docx attachments under root/_files/ (run from anywhere with the
project's venv: python tests/sites/linyi_etdz/make_files.py). The HTML pages are hand-edited."""

from pathlib import Path

from docx import Document

FILES = Path(__file__).resolve().parent / "root" / "_files"
SYN = "【合成测试数据】本文件为 govreports 测试用合成数据,并非临沂经济技术开发区(临沂沂河新区)的真实政府信息。"

# file name under _files/ -> (body name, year, 申请件数, 行政复议件数, 行政诉讼起数)
REPORTS = {
    "4500001.docx": ("临沂经济技术开发区", 2022, 8, 1, 2),
    "4500002.docx": ("临沂经济技术开发区", 2021, 7, 3, 0),
    "yhxq2023.docx": ("临沂沂河新区", 2023, 12, 2, 1),
}


def build(name: str, year: int, apply: int, review: int, suit: int) -> Document:
    doc = Document()
    doc.add_heading(f"{name}{year}年政府信息公开工作年度报告", level=1)
    for text in (
        SYN,
        f"本报告中所列数据统计期限自{year}年1月1日起至{year}年12月31日止。",
        "一、总体情况",
        f"{year}年,{name}深入贯彻《中华人民共和国政府信息公开条例》,持续推进政务公开标准化规范化建设,"
        "门户网站各栏目按时更新,政策解读与回应关切工作稳步开展。",
        "二、依申请公开情况",
        f"{year}年,共受理政府信息公开申请{apply}件,均已在法定期限内答复。",
        "三、行政复议和行政诉讼情况",
        f"{year}年,因政府信息公开工作被申请行政复议{review}件,被提起行政诉讼{suit}起。",
        "四、存在的主要问题及改进情况",
        "公开内容的规范性和及时性仍需提升,下一步将加强业务培训和日常督导。",
    ):
        doc.add_paragraph(text)
    return doc


if __name__ == "__main__":
    FILES.mkdir(parents=True, exist_ok=True)
    for file, args in REPORTS.items():
        build(*args).save(FILES / file)
        print(FILES / file)
