"""The voucher as a PDF (A4), drawn with fpdf2 in DejaVu Sans, which has every letter and
currency sign the group's hotels and clients write (é, ç, ß, ğ, ₦, ₹, ¥, F CFA…); fpdf2 embeds
only the glyphs a voucher uses."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from web.vouchers.model import Row, Voucher

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVuSans"
INK = (28, 36, 48)
MUTED = (74, 85, 101)
RULE = (213, 219, 227)
LABEL_WIDTH = 55  # mm, of the 180 between the margins


def voucher_pdf(voucher: Voucher) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(f"{voucher.title} {voucher.code.value}")
    pdf.set_lang(voucher.lang)
    pdf.set_creator("Booking platform")
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.add_page()
    _heading(pdf, voucher)
    for row in voucher.rows:
        _detail(pdf, row)
    _note(pdf, voucher.times_note)
    _section(pdf, voucher.prices_heading)
    _prices(pdf, voucher)
    _note(pdf, voucher.currency_note)
    _section(pdf, voucher.terms_heading)
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 5.5, voucher.terms, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _heading(pdf: FPDF, voucher: Voucher) -> None:
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, "B", 20)
    pdf.cell(0, 10, voucher.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _note(pdf, voucher.intro)
    pdf.ln(2)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.6)
    top = pdf.get_y()
    pdf.set_font(FAMILY, "", 11)
    pdf.set_xy(pdf.l_margin + 4, top + 3)
    pdf.cell(LABEL_WIDTH - 4, 10, voucher.code.label)
    pdf.set_font(FAMILY, "B", 20)
    pdf.cell(0, 10, voucher.code.value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.rect(pdf.l_margin, top, pdf.epw, 16)
    pdf.set_y(top + 20)


def _detail(pdf: FPDF, row: Row) -> None:
    top = pdf.get_y()
    pdf.set_font(FAMILY, "B", 10)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(LABEL_WIDTH, 6, row.label, new_x=XPos.RIGHT, new_y=YPos.TOP)
    pdf.set_font(FAMILY, "", 10)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 6, row.value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(pdf.get_y(), top + 6) + 1)


def _section(pdf: FPDF, title: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 13)
    pdf.set_text_color(*INK)
    pdf.cell(0, 8, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.ln(2)


def _prices(pdf: FPDF, voucher: Voucher) -> None:
    columns = voucher.prices_columns
    _price_line(pdf, columns, bold=True, muted=True)
    for night in voucher.nights:
        _price_line(pdf, night)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.5)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + pdf.epw, pdf.get_y() + 1)
    pdf.ln(2)
    _price_line(pdf, voucher.total, bold=True)


def _price_line(pdf: FPDF, row: Row, bold: bool = False, muted: bool = False) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", 10)
    pdf.set_text_color(*(MUTED if muted else INK))
    pdf.cell(pdf.epw - 60, 7, row.label)
    pdf.cell(60, 7, row.value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _note(pdf: FPDF, text: str) -> None:
    pdf.set_font(FAMILY, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
