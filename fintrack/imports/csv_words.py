"""The words bank CSV exports use: column names, debit/credit marks, month names and
balance lines, in English, German, French, Spanish and Dutch."""

from __future__ import annotations

import re
import unicodedata

ROLE_LABELS = {
    "date": "Date",
    "payee": "Payee",
    "amount": "Amount",
    "debit": "Debit (money out)",
    "credit": "Credit (money in)",
    "indicator": "Debit/credit indicator",
    "memo": "Memo",
    "id": "Bank reference (unique id)",
    "original_amount": "Original amount (other currency)",
    "original_currency": "Original currency",
}
DATE_ORDERS = {
    "YMD": "Year-month-day (2026-01-31)",
    "DMY": "Day/month/year (31/01/2026)",
    "MDY": "Month/day/year (01/31/2026)",
    "TEXT": "Month name (Jan 31, 2026)",
}
DECIMAL_SEPARATORS = {".": "Point (1,234.56)", ",": "Comma (1.234,56)"}

# Header names in English, German, French, Spanish and Dutch, compared after normalising
# (lower case, no accents, punctuation as spaces). Earlier names win.
ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "datum",
        "buchungstag",
        "buchungsdatum",
        "fecha",
        "date d operation",
        "date operation",
        "date de l operation",
        "transaction date",
        "trans date",
        "posting date",
        "posted date",
        "booking date",
        "fecha operacion",
        "fecha de operacion",
        "boekdatum",
        "transactiedatum",
        "date de comptabilisation",
    ),
    "indicator": (
        "af bij",
        "debit credit",
        "soll haben",
        "dr cr",
        "cr dr",
        "s h",
        "credit debit",
        "debit credit indicator",
    ),
    "debit": (
        "debit",
        "soll",
        "cargo",
        "cargos",
        "af",
        "withdrawal",
        "withdrawals",
        "money out",
        "paid out",
        "debit amount",
        "ausgang",
        "debito",
    ),
    "credit": (
        "credit",
        "haben",
        "abono",
        "abonos",
        "bij",
        "deposit",
        "deposits",
        "money in",
        "paid in",
        "credit amount",
        "eingang",
        "credito",
    ),
    "amount": (
        "amount",
        "betrag",
        "montant",
        "importe",
        "bedrag",
        "umsatz",
        "transaction amount",
        "value",
    ),
    "id": ("transaction id", "fitid", "id", "transaktions id", "reference number"),
    "payee": (
        "payee",
        "beguenstigter zahlungspflichtiger",
        "begunstigter zahlungspflichtiger",
        "beguenstigter",
        "begunstigter",
        "name zahlungsbeteiligter",
        "auftraggeber empfanger",
        "empfanger",
        "naam omschrijving",
        "naam tegenpartij",
        "naam",
        "merchant",
        "counterparty",
        "beneficiario",
        "libelle",
        "libelle operation",
        "concepto",
        "description",
        "omschrijving",
        "descripcion",
        "name",
        "details",
        "narrative",
        "transaction description",
    ),
    # A card purchase in another currency: what it cost there, and that currency.
    "original_amount": (
        "original amount",
        "foreign amount",
        "foreign currency amount",
        "amount in foreign currency",
        "original transaction amount",
        "ursprunglicher betrag",
        "originalbetrag",
        "ursprungsbetrag",
        "fremdwahrungsbetrag",
        "betrag in fremdwahrung",
        "montant d origine",
        "montant original",
        "montant en devise",
        "montant devise",
        "importe original",
        "importe en divisa",
        "importe divisa",
        "oorspronkelijk bedrag",
        "origineel bedrag",
        "bedrag in vreemde valuta",
    ),
    "original_currency": (
        "original currency",
        "foreign currency",
        "originalwahrung",
        "ursprungswahrung",
        "fremdwahrung",
        "devise d origine",
        "devise originale",
        "devise etrangere",
        "moneda original",
        "divisa original",
        "moneda extranjera",
        "oorspronkelijke valuta",
        "originele valuta",
        "vreemde valuta",
    ),
    "memo": (
        "memo",
        "verwendungszweck",
        "notes",
        "note",
        "mededelingen",
        "remarks",
        "informations complementaires",
        "observaciones",
        "reference",
        "referenz",
        "description",
        "omschrijving",
        "details",
        "comment",
    ),
}
# Lines that state a balance rather than a transaction (Bank of America's "Beginning balance
# as of ...", a German "Anfangssaldo", a French "Solde au ..."), compared after normalising.
BALANCE_LINE = re.compile(
    r"^(?:beginning|opening|ending|closing|starting|previous|new) balance\b"
    r"|^balance (?:brought|carried) forward\b|^balance(?: as of| at| on)?[\d ]*$"
    r"|^(?:anfangs|end|schluss|begin|eind|start)saldo\b|^(?:alter|neuer) saldo\b"
    r"|^saldo(?: (?:inicial|final|anterior|al|per|vom|am|a fecha))?[\d ]*$"
    r"|^saldo (?:inicial|final|anterior|al|per|vom|am)\b"
    r"|^(?:nouveau|ancien) solde\b|^solde(?: (?:initial|final|au|precedent|debiteur|crediteur))?\b"
)
DEBIT_WORDS = {"d", "debit", "s", "soll", "af", "dr", "-", "debe", "cargo", "withdrawal"}
CREDIT_WORDS = {"c", "credit", "h", "haben", "bij", "cr", "+", "haber", "abono", "deposit"}
MONTHS = {
    "jan": 1,
    "feb": 2,
    "fev": 2,
    "mar": 3,
    "mrt": 3,
    "apr": 4,
    "avr": 4,
    "abr": 4,
    "may": 5,
    "mai": 5,
    "mei": 5,
    "jun": 6,
    "juin": 6,
    "jul": 7,
    "juil": 7,
    "aug": 8,
    "aou": 8,
    "ago": 8,
    "sep": 9,
    "oct": 10,
    "okt": 10,
    "nov": 11,
    "dec": 12,
    "dez": 12,
    "dic": 12,
    "ene": 1,
}


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces: how names are compared."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# Every BALANCE_LINE starts with one of these words: most payees are ruled out without
# normalising them (an import checks two cells per row).
_BALANCE_START = re.compile(
    r"\s*(?:beginning|opening|ending|closing|starting|previous|new|balance|anfangs|end"
    r"|schluss|begin|eind|start|alter|neuer|saldo|solde|nouveau|ancien)",
    re.IGNORECASE,
)


def is_balance_line(text: str) -> bool:
    """True for a description that states a balance ("Beginning balance as of 01/01/2026")."""
    return bool(_BALANCE_START.match(text)) and bool(BALANCE_LINE.match(normalize(text)))
