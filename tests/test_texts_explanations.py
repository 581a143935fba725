"""The engine's explanations in Dutch and English: a proposal's reasons and the reasons a family
has no proposal, rendered when the result is built, in the language asked for."""

from __future__ import annotations

import pytest
from builders import family, round_of, volunteer

from matcher import solve
from matcher.domain.round import Round
from matcher.io.results import result_json
from matcher.result import SolveResult
from matcher.wording import wording

PAIR = round_of(
    [
        volunteer(
            languages=["nl", "ar"],
            km_north=2.1,
            themes=["multiples"],
            capacity=2,
            slots=["mon-morning", "tue-morning", "wed-morning"],
        )
    ],
    [
        family(
            languages=["ar"],
            speaks_dutch=False,
            themes=["multiples:high"],
            slots=["mon-morning", "tue-morning", "wed-morning"],
        )
    ],
)
FAR_AND_NO_ARABIC = round_of(
    [
        volunteer("V1", languages=["nl", "ar"], km_north=12.3),
        volunteer("V2", languages=["nl", "ar"], km_north=14),
        volunteer("V3"),
    ],
    [family(languages=["ar"], speaks_dutch=False)],
)


def test_a_proposals_reasons_in_english_and_in_dutch() -> None:
    english = solve(PAIR).proposals[0].reasons
    dutch = solve(PAIR, language="nl").proposals[0].reasons
    weeks = int(english[-2].split()[3])
    assert english == [
        "both speak Arabic",
        "2.1 km apart (volunteer's limit 8 km)",
        "3 shared half-days",
        "volunteer has no experience with children aged 1-4",
        "volunteer has experience with twins and multiples",
        f"family has waited {weeks} weeks",
        "volunteer can support 2 families",
    ]
    assert dutch == [
        "beiden spreken Arabisch",
        "2,1 km (grens van de vrijwilliger 8 km)",
        "3 gedeelde dagdelen",
        "vrijwilliger heeft geen ervaring met kinderen van 1-4 jaar",
        "vrijwilliger heeft ervaring met tweelingen en meerlingen",
        f"gezin wacht {weeks} weken",
        "vrijwilliger kan 2 gezinnen ondersteunen",
    ]


def test_an_unmatched_reason_in_english_and_in_dutch() -> None:
    english = solve(FAR_AND_NO_ARABIC).unmatched[0].message
    dutch = solve(FAR_AND_NO_ARABIC, language="nl").unmatched[0].message
    assert english == (
        "No eligible volunteer among 3; ruled out by: language 1, travel 2. "
        "Volunteers who speak Arabic: 2, the nearest 12.3 km away. "
        "Closest: V3 fails only language; V1 fails only travel (12.3 km, limit 8 km); "
        "V2 fails only travel (14.0 km, limit 8 km)."
    )
    assert dutch == (
        "Geen passende vrijwilliger van de 3; uitgesloten door: taal 1, reisafstand 2. "
        "Vrijwilligers die Arabisch spreken: 2, de dichtstbijzijnde op 12,3 km. "
        "Dichtstbij: V3 voldoet alleen niet aan taal; V1 voldoet alleen niet aan reisafstand "
        "(12,3 km, grens 8 km); V2 voldoet alleen niet aan reisafstand (14,0 km, grens 8 km)."
    )


def test_not_eligible_in_dutch_writes_the_age_with_a_comma() -> None:
    round_ = round_of([volunteer()], [family(children=[{"age_years": 7.5}])])
    assert solve(round_, language="nl").unmatched[0].message == (
        "Komt niet in aanmerking voor het programma: het jongste kind is 7,5 jaar, op of boven "
        "de leeftijdsgrens van het programma van 6."
    )


def test_one_volunteer_for_two_families_in_dutch() -> None:
    round_ = round_of([volunteer()], [family("F1"), family("F2", rematch=True)])
    assert solve(round_, language="nl").unmatched[0].message == (
        "De enige vrijwilliger die kan helpen is vol: hier is meer capaciteit nodig. V1 is "
        "voorgesteld aan F2, wiens koppeling zwaarder weegt (langer gewacht, een nieuwe "
        "koppeling of een betere match)."
    )


@pytest.mark.parametrize("round_", [PAIR, FAR_AND_NO_ARABIC])
def test_a_result_records_its_language_and_english_is_written_as_before(round_: Round) -> None:
    english, dutch = solve(round_), solve(round_, language="nl")
    assert english.language == "en" and '"language": "en"' not in result_json(english)
    assert dutch.language == "nl" and '"language": "nl"' in result_json(dutch)
    assert SolveResult.model_validate_json(result_json(dutch)) == dutch.model_copy(
        update={"runtime_s": 0.0}
    )


def test_language_names_come_from_babel_else_the_code() -> None:
    dutch, english = wording("nl"), wording("en")
    assert [dutch.language_name(code) for code in ("ar", "ara", "tr", "ti", "qaa")] == [
        "Arabisch",
        "Arabisch",
        "Turks",
        "Tigrinya",
        "qaa",
    ]
    assert english.language_name("ara") == "Arabic"


def test_numbers_keep_their_digits_and_take_the_languages_decimal_sign() -> None:
    dutch, english = wording("nl"), wording("en")
    assert (dutch.fixed(2.14), dutch.short(7.5), dutch.short(8.0), dutch.percent(0.0123, 2)) == (
        "2,1",
        "7,5",
        "8",
        "1,23%",
    )
    assert (english.fixed(12.25, 1), english.fixed(0.5, 3)) == (f"{12.25:.1f}", "0.500")
    with pytest.raises(ValueError, match="no texts in language 'de'"):
        wording("de")
