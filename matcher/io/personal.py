"""The personal-data guard: column and field names the engine must never receive (English and
Dutch), compared without accents, case, spaces or dashes."""

from __future__ import annotations

import unicodedata

_PERSONAL_WORDS = """
    name naam firstname voornaam roepnaam voorletters initials lastname achternaam surname
    familienaam tussenvoegsel fullname volledigenaam birthname geboortenaam meisjesnaam
    maidenname
    address adres street straat straatnaam housenumber huisnummer woonplaats city town residence
    postaladdress postadres
    bsn burgerservicenummer citizennumber citizenservicenumber ssn socialsecuritynumber
    sofinummer passport paspoort paspoortnummer iban rekeningnummer bankaccount
    email emailadres emailaddress mail phone phonenumber telephone telefoon telefoonnummer tel
    mobile mobiel mobielnummer gsm
    dateofbirth birthdate birthday dob geboortedatum geboortedag geboorteplaats placeofbirth
    nationality nationaliteit religion religie geloof ethnicity etniciteit afkomst health
    gezondheid diagnosis diagnose notes casenotes notities aantekeningen opmerkingen comments
"""
PERSONAL_COLUMNS = frozenset(_PERSONAL_WORDS.split())
"""Column names of personal data, compacted by ``personal_key`` (English and Dutch)."""


def personal_key(header: str) -> str:
    """A header compacted for the personal-data check: accents dropped, lower case, letters
    and digits only (``E-mail adres`` -> ``emailadres``)."""
    decomposed = unicodedata.normalize("NFKD", header)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


def looks_personal(header: str) -> bool:
    """Whether a column or field name names personal data the engine must not receive."""
    return personal_key(header) in PERSONAL_COLUMNS


PERSONAL_MESSAGE = (
    "looks like personal data: the engine needs only pseudonymous ids, remove this column"
)
