"""The voucher as a printable HTML page: one file, its style inline, an A4 sheet when printed."""

from __future__ import annotations

from html import escape

from web.vouchers.model import Row, Voucher

STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #eef1f5; color: #1c2430;
       font: 15px/1.45 "DejaVu Sans", "Segoe UI", system-ui, sans-serif; }
main { max-width: 46rem; margin: 1.5rem auto; background: #fff; padding: 2rem 2.25rem;
       border-radius: 8px; box-shadow: 0 1px 4px rgba(0, 0, 0, .12); }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin: 1.5rem 0 .5rem; font-size: 1.1rem; border-bottom: 1px solid #d5dbe3;
     padding-bottom: .25rem; }
.intro, .note { color: #4a5565; margin: .25rem 0 .75rem; }
.code { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline;
        border: 2px solid #1c2430; border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.code strong { font-size: 1.7rem; letter-spacing: .12em; font-family: "DejaVu Sans Mono",
               ui-monospace, monospace; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem .35rem 0;
         overflow-wrap: anywhere; }
.details th { width: 34%; color: #4a5565; font-weight: 600; }
.prices td:last-child, .prices th:last-child { text-align: right; padding-right: 0; }
.prices tbody tr { border-top: 1px solid #e6eaf0; }
.prices tfoot td { border-top: 2px solid #1c2430; font-weight: 700; }
@media (max-width: 30rem) {
  main { margin: 0; border-radius: 0; padding: 1.25rem 1rem; }
  .details th, .details td { display: block; width: auto; padding: .1rem 0; }
  .details td { padding-bottom: .5rem; }
}
@media print {
  @page { size: A4; margin: 15mm; }
  body { background: #fff; font-size: 11pt; }
  main { margin: 0; padding: 0; max-width: none; box-shadow: none; border-radius: 0; }
  h2, .code, tr { break-inside: avoid; }
}
"""


def voucher_page(voucher: Voucher) -> str:
    rows = "".join(_row(row) for row in voucher.rows)
    nights = "".join(
        f"<tr><td>{escape(night.label)}</td><td>{escape(night.value)}</td></tr>"
        for night in voucher.nights
    )
    columns = voucher.prices_columns
    return f"""<!doctype html>
<html lang="{voucher.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(voucher.title)} {escape(voucher.code.value)}</title>
<style>{STYLE}</style>
</head>
<body>
<main>
<h1>{escape(voucher.title)}</h1>
<p class="intro">{escape(voucher.intro)}</p>
<p class="code"><span>{escape(voucher.code.label)}</span>
<strong data-testid="confirmation-code">{escape(voucher.code.value)}</strong></p>
<table class="details"><tbody>{rows}</tbody></table>
<p class="note">{escape(voucher.times_note)}</p>
<h2>{escape(voucher.prices_heading)}</h2>
<table class="prices">
<thead><tr><th>{escape(columns.label)}</th><th>{escape(columns.value)}</th></tr></thead>
<tbody>{nights}</tbody>
<tfoot><tr><td>{escape(voucher.total.label)}</td><td>{escape(voucher.total.value)}</td></tr></tfoot>
</table>
<p class="note">{escape(voucher.currency_note)}</p>
<h2>{escape(voucher.terms_heading)}</h2>
<p>{escape(voucher.terms)}</p>
</main>
</body>
</html>
"""


def _row(row: Row) -> str:
    return f"<tr><th scope='row'>{escape(row.label)}</th><td>{escape(row.value)}</td></tr>"
