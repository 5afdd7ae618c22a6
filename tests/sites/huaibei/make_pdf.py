"""Regenerate the synthetic PDF attachment of the mirror (a real, small PDF with Chinese text).

    .venv/bin/python tests/sites/huaibei/make_pdf.py

Uses reportlab's built-in CID font STSong-Light (not embedded: PDF readers and pdfminer map
it with the predefined UniGB-UCS2-H CMap). invariant=1 makes the bytes reproducible.
"""

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

OUT = Path(__file__).parent / "root/group1/M00/02/5E/CgAAZWAUx9qAFbRqAAAH5nT3a1s839.pdf"
LINES = [
    "淮北市人民政府2020年政府信息公开工作年度报告【合成测试数据】",
    "【合成测试数据】本文件为测试用合成附件,不是淮北市人民政府发布的文件。",
    "一、总体情况",
    "2020年,全市政府信息公开工作稳步推进(合成内容)。",
    "二、主动公开政府信息情况",
    "本年主动公开政府信息1234条(合成数字)。",
]

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
pdf = canvas.Canvas(str(OUT), pagesize=A4, invariant=1)
pdf.setTitle("淮北市人民政府2020年政府信息公开工作年度报告【合成测试数据】")
y = 780
for line in LINES:
    pdf.setFont("STSong-Light", 14 if y == 780 else 11)
    pdf.drawString(60, y, line)
    y -= 28
pdf.save()
print(OUT, OUT.stat().st_size)
