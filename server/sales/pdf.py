"""The customer's copy of an offer as a PDF: lines, GST breakdown, totals in words, validity."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from server.sales.errors import StateError
from server.sales.words import rupees_in_words
from sync.documents.pricing import DocumentTotals, LineInput, format_money, price_document


@dataclass(frozen=True)
class SheetLine:
    """One offer line with the product's name, HSN code and unit."""

    product_id: str
    name: str
    hsn_code: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal
    gst_rate: Decimal


@dataclass(frozen=True)
class OfferSheet:
    """Everything the PDF shows, taken from the offer the server accepted."""

    offer_id: str
    engineer: str
    customer_name: str
    customer_address: str
    customer_gstin: str | None
    customer_state: str
    supply: str
    valid_until: date
    created: date
    lines: tuple[SheetLine, ...]
    grand_total: Decimal  # as the offer states it; the PDF refuses to print a different one
    revision: int = 0  # 0: the quotation's first offer
    quotation_id: str = ""
    seller_name: str = ""
    seller_gstin: str = ""
    offer_hash: str = ""  # the hash of the content a customer's approval signs


def totals_of(sheet: OfferSheet) -> DocumentTotals:
    """Recompute the totals with the shared GST arithmetic; refuse if they disagree."""
    totals = price_document([LineInput(line.quantity, line.unit_price, line.discount_pct,
                                       line.gst_rate) for line in sheet.lines], sheet.supply)
    if totals.grand_total != sheet.grand_total:
        raise StateError(f"the offer states {format_money(sheet.grand_total)} but its lines come "
                         f"to {format_money(totals.grand_total)}; it cannot be printed")
    return totals


def _line_rows(sheet: OfferSheet, totals: DocumentTotals) -> list[list[str]]:
    rows = [["#", "Product", "HSN", "Qty", "Rate", "Disc %", "Taxable", "GST %", "Tax", "Total"]]
    for i, (line, amounts) in enumerate(zip(sheet.lines, totals.lines, strict=True), start=1):
        rows.append([str(i), f"{line.name} ({line.product_id})", line.hsn_code,
                     f"{line.quantity.normalize():f} {line.unit}", format_money(line.unit_price),
                     f"{line.discount_pct.normalize():f}", format_money(amounts.taxable),
                     f"{line.gst_rate.normalize():f}", format_money(amounts.gst),
                     format_money(amounts.total)])
    return rows


def _summary_rows(sheet: OfferSheet, totals: DocumentTotals) -> list[list[str]]:
    rows = [["Gross discount", format_money(totals.discount)],
            ["Taxable value", format_money(totals.taxable)]]
    if sheet.supply == "intra":
        rows += [["CGST", format_money(totals.cgst)], ["SGST", format_money(totals.sgst)]]
    else:
        rows += [["IGST", format_money(totals.igst)]]
    rows += [["Grand total (INR)", format_money(totals.grand_total)]]
    return rows


def render_offer(sheet: OfferSheet) -> bytes:
    """The PDF bytes of the offer."""
    totals = totals_of(sheet)
    styles = getSampleStyleSheet()
    supply = "Intra-state (CGST + SGST)" if sheet.supply == "intra" else "Inter-state (IGST)"
    story = [
        Paragraph(f"Sales offer {escape(sheet.offer_id)}", styles["Title"]),
        *_seller_and_revision(sheet, styles["Normal"]),
        Paragraph(f"To: {escape(sheet.customer_name)}<br/>{escape(sheet.customer_address)}<br/>"
                  f"GSTIN: {sheet.customer_gstin or 'not registered'} &nbsp; "
                  f"State code: {sheet.customer_state}", styles["Normal"]),
        Paragraph(f"Date: {sheet.created.isoformat()} &nbsp; Valid until: "
                  f"{sheet.valid_until.isoformat()} &nbsp; Supply: {supply} &nbsp; "
                  f"Sales engineer: {escape(sheet.engineer)}", styles["Normal"]),
        Spacer(1, 6 * mm), _table(_line_rows(sheet, totals)), Spacer(1, 4 * mm),
        _table(_summary_rows(sheet, totals)), Spacer(1, 4 * mm),
        Paragraph(f"Amount in words: {rupees_in_words(totals.grand_total)}", styles["Normal"]),
        Paragraph(f"This offer is valid until {sheet.valid_until.isoformat()}.",
                  styles["Normal"]),
        Paragraph(f"Offer hash (what the customer's approval signs): "
                  f"{escape(sheet.offer_hash)}", styles["Normal"]),
    ]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"Offer {sheet.offer_id}",
                      leftMargin=12 * mm, rightMargin=12 * mm).build(story)
    return out.getvalue()


def _seller_and_revision(sheet: OfferSheet, style: ParagraphStyle) -> list[Paragraph]:
    """The seller with its GSTIN, and which revision of which quotation this is."""
    revision = (f"Revision {sheet.revision} of quotation {escape(sheet.quotation_id)}"
                if sheet.revision else "Revision 0 (first offer of this quotation)")
    return [Paragraph(f"From: {escape(sheet.seller_name)} &nbsp; GSTIN: "
                      f"{escape(sheet.seller_gstin) or 'not set'}", style),
            Paragraph(revision, style)]


def _table(rows: list[list[str]]) -> Table:
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
    ]))
    return table
