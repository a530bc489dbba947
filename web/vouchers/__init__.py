"""A confirmed booking's voucher, the paper a client hands the hotel: its data assembled from the
booking (model), said in English or French (texts, formats, terms), and drawn as a printable
page (html) or a PDF (pdf)."""
