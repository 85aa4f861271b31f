"""Region Mellanland: an invented region with three bodies (sample content)."""

from __future__ import annotations

from paragraf_se.sample_site.schema import (
    DECISION,
    Body,
    Item,
    Meeting,
    Org,
    agenda_item,
    justerare_item,
    notices_item,
)

HOUSE = "Sessionssalen, Regionens hus, Mellanstad"

RS_MEETINGS = (
    Meeting(
        date="2021-06-14", time="09:00–12:15", place=HOUSE, first=88,
        justerare="Karin Ekholm (M)",
        items=(
            justerare_item("Karin Ekholm (M)", "den 18 juni 2021 på regionkansliet"),
            Item(
                "Årsredovisning 2020 för Region Mellanland",
                (
                    ("Sammanfattning",
                     "Regionens årsredovisning för 2020 visar ett resultat på 214 miljoner "
                     "kronor. Pandemin har präglat verksamhetsåret och de riktade statsbidragen "
                     "har varit betydligt större än normalt. Balanskravet är uppfyllt.\n\n"
                     "Hälso- och sjukvården redovisar ett underskott mot budget medan "
                     "kollektivtrafiken, trots kraftigt minskat resande, håller sin ram tack "
                     "vare tillfälligt stöd från staten."),
                    ("Beslutsunderlag",
                     "Tjänsteskrivelse 2021-05-20\n\nÅrsredovisning 2020 för Region Mellanland"),
                    (DECISION,
                     "Regionstyrelsen föreslår regionfullmäktige besluta att godkänna "
                     "årsredovisningen för 2020."),
                    ("Expedieras till", "Regionfullmäktige, Ekonomistaben"),
                ),
                dnr="RS/120/2021",
                attachments=("Årsredovisning 2020 Region Mellanland",),
            ),
            Item(
                "Basfinansiering av Mellanland Turism AB 2022",
                (
                    ("Ärendet",
                     "Mellanland Turism AB är länets gemensamma destinationsbolag och ägs av "
                     "regionen tillsammans med länets kommuner. Bolaget har sedan starten "
                     "finansierats genom en basfinansiering från ägarna och genom "
                     "projektmedel.\n\n"
                     "Bolaget har begärt att basfinansieringen för 2022 räknas upp med två "
                     "procent för att täcka ökade kostnader för besöksnäringens digitala "
                     "marknadsföring. Regionens andel uppgår då till 3 060 tkr."),
                    ("Yrkanden",
                     "Ordföranden yrkar bifall till förslaget.\n\n"
                     "Per Hallin (SD) yrkar att basfinansieringen ska ligga kvar på 2021 års "
                     "nivå."),
                    ("Beslutsgång",
                     "Ordföranden ställer förslagen mot varandra och finner att "
                     "regionstyrelsen beslutat enligt ordförandens förslag."),
                    (DECISION,
                     "Regionstyrelsen beviljar Mellanland Turism AB en basfinansiering om "
                     "3 060 tkr för 2022. Kostnaden belastar anslaget för regional "
                     "utveckling."),
                    ("Reservation",
                     "Per Hallin (SD) reserverar sig mot beslutet till förmån för eget "
                     "yrkande."),
                ),
                dnr="RS/233/2021",
            ),
            Item(
                "Laddinfrastruktur vid regionens vårdcentraler",
                (
                    ("Sammanfattning",
                     "Allt fler patienter och medarbetare kör elbil. Regionfastigheter har "
                     "inventerat parkeringarna vid regionens tolv vårdcentraler och föreslår "
                     "att laddplatser byggs vid åtta av dem under 2021–2022. Laddinfrastrukturen "
                     "finansieras delvis med Klimatklivet och avgifter tas ut för laddningen."),
                    ("Beslutsunderlag", "Tjänsteskrivelse 2021-05-27"),
                    (DECISION,
                     "Regionstyrelsen ger regiondirektören i uppdrag att bygga ut "
                     "laddinfrastruktur vid regionens vårdcentraler enligt förslaget inom en "
                     "ram om 4,2 miljoner kronor."),
                ),
                dnr="RS/301/2021",
                attachments=("Tjänsteskrivelse laddinfrastruktur vårdcentraler",),
            ),
            notices_item(
                "Länsstyrelsen i Mellanlands län: Beslut om statsbidrag till regional "
                "kompetensförsörjning",
                "Regionala utvecklingsnämndens protokoll 2021-05-24",
            ),
        ),
    ),
    Meeting(
        date="2022-11-28", time="09:00–15:40", place=HOUSE, first=201,
        justerare="Lars Wiklund (C)",
        items=(
            justerare_item("Lars Wiklund (C)", "den 2 december 2022"),
            agenda_item("med tillägget att ärendet om taxor behandlas före budgeten"),
            Item(
                "Taxor för kollektivtrafik 2023 – Länstrafiken Mellanland",
                (
                    ("Sammanfattning",
                     "Länstrafiken Mellanland föreslår att priset för periodkort höjs med "
                     "sex procent från den 1 februari 2023 med hänvisning till ökade "
                     "drivmedelskostnader. Ungdomsbiljetten och skolkortet lämnas oförändrade. "
                     "Kollektivtrafiken ska även fortsättningsvis vara ett attraktivt "
                     "alternativ till bilen."),
                    (DECISION,
                     "Regionstyrelsen fastställer taxor för kollektivtrafik 2023 enligt "
                     "Länstrafikens förslag."),
                    ("Protokollsanteckning",
                     "Eva Nordin (V) antecknar att regionen på sikt bör införa avgiftsfri "
                     "kollektivtrafik för pensionärer."),
                ),
                dnr="RS/388/2022",
            ),
            Item(
                "Budget 2023 och verksamhetsplan med flerårsplan 2024–2025",
                (
                    ("Ärendet",
                     "Regionstyrelsen ska lämna förslag till budget för 2023 till "
                     "regionfullmäktige. Förslaget bygger på oförändrad skattesats, 11,71 kronor. "
                     "Inflationen och ökade pensionskostnader gör att nämnderna behöver "
                     "effektivisera med sammanlagt 1,5 procent.\n\n"
                     "Investeringsbudgeten omfattar bland annat nya elbussar för "
                     "kollektivtrafiken och ombyggnad av akutmottagningen i Mellanstad."),
                    ("Yrkanden",
                     "Ordföranden yrkar bifall till förslaget.\n\n"
                     "Anders Grip (M) yrkar bifall till Moderaternas budgetförslag."),
                    ("Omröstning",
                     "Omröstning begärs och verkställs. Med 8 röster för ordförandens förslag "
                     "och 5 röster för Anders Grips förslag beslutar regionstyrelsen enligt "
                     "ordförandens förslag."),
                    (DECISION,
                     "Regionstyrelsen föreslår regionfullmäktige att fastställa budget 2023 "
                     "och verksamhetsplan med flerårsplan 2024–2025 enligt förslaget."),
                    ("Reservation",
                     "Ledamöterna för (M) och (KD) reserverar sig mot beslutet till förmån "
                     "för eget förslag."),
                ),
                dnr="RS/410/2022",
                attachments=("Budget 2023 förslag", "Moderaternas budgetförslag 2023"),
            ),
            Item(
                "Riktlinje för resfria möten",
                (
                    ("Sammanfattning",
                     "Regionen har under pandemin gått över till resfria möten i stor skala. "
                     "En ny riktlinje föreslås som anger att digitala möten ska vara "
                     "förstahandsval när resan annars skulle vara längre än en timme. "
                     "Riktlinjen bedöms minska både tjänsteresor och utsläpp."),
                    (DECISION, "Regionstyrelsen antar riktlinje för resfria möten."),
                ),
                dnr="RS/402/2022",
            ),
            Item(
                "Yttrande över förslag till avfallsplan för Åsjö kommun",
                (
                    ("Sammanfattning",
                     "Åsjö kommun har remitterat sitt förslag till avfallsplan 2022–2030. "
                     "Regionen välkomnar målen om minskat matavfall och ökat återbruk och "
                     "lyfter att hälso- och sjukvårdens avfall bör hanteras i en gemensam "
                     "regional lösning."),
                    (DECISION,
                     "Regionstyrelsen överlämnar yttrandet som sitt svar på remissen."),
                ),
                dnr="RS/366/2022",
            ),
        ),
    ),
    Meeting(
        date="2024-02-19", time="09:00–11:50", place=HOUSE, first=10,
        justerare="Karin Ekholm (M)",
        items=(
            justerare_item("Karin Ekholm (M)", "den 23 februari 2024"),
            agenda_item("med tillägg av ett extra ärende om elbussar som § 12 a"),
            Item(
                "Årsredovisning 2023 för Region Mellanland",
                (
                    ("Sammanfattning",
                     "Regionen redovisar för 2023 ett negativt resultat om 96 miljoner kronor. "
                     "Underskottet förklaras av höga pensionskostnader och kostnader för "
                     "inhyrd personal. Balanskravsresultatet är negativt och ska återställas "
                     "inom tre år."),
                    (DECISION,
                     "Regionstyrelsen föreslår regionfullmäktige att godkänna "
                     "årsredovisningen för 2023 och att underskottet återställs senast 2026."),
                ),
                dnr="RS/31/2024",
            ),
            Item(
                "Tilläggsanslag för elbussar i Länstrafiken",
                (
                    ("Ärendet",
                     "Leveransen av tolv elbussar till stadstrafiken i Mellanstad har "
                     "fördyrats med 7,5 miljoner kronor på grund av ändrade "
                     "batterispecifikationer. Ärendet är brådskande eftersom avtalet med "
                     "leverantören annars måste omförhandlas."),
                    (DECISION,
                     "Regionstyrelsen beviljar ett tilläggsanslag om 7,5 miljoner kronor "
                     "för elbussar inom kollektivtrafiken."),
                ),
                dnr="RS/58/2024",
                letter="a",
            ),
            Item(
                "Elbilsladdning för medarbetare",
                (
                    ("Sammanfattning",
                     "Medarbetare har efterfrågat möjlighet till laddning av elbilar på "
                     "regionens personalparkeringar. Förslaget innebär att laddning erbjuds "
                     "mot en avgift per kilowattimme som motsvarar självkostnaden, så att "
                     "förmånen inte blir skattepliktig."),
                    (DECISION,
                     "Regionstyrelsen godkänner att elbilsladdning erbjuds medarbetare enligt "
                     "förslaget."),
                ),
                dnr="RS/77/2024",
            ),
            notices_item("Revisorernas granskningsrapport om intern kontroll 2023"),
        ),
    ),
)

RSR_MEETINGS = (
    Meeting(
        date="2021-09-20", time="13:00–16:00", place="Rum Älven, Regionens hus, Mellanstad",
        first=31, justerare="Jonas Berg (S)",
        items=(
            justerare_item("Jonas Berg (S)", "genom digital signering"),
            agenda_item(),
            Item(
                "Gemensamt slutarkiv för länets kommuner och regionen",
                (
                    ("Bakgrund",
                     "Länets kommuner och regionen har under flera år diskuterat ett "
                     "gemensamt slutarkiv för digitala handlingar. Varje organisation har i "
                     "dag egna lösningar och flera av dem behöver byta system inom kort."),
                    ("Ärendet",
                     "En förstudie visar att ett gemensamt e-arkiv kan halvera kostnaderna "
                     "per part jämfört med egna upphandlingar. Arkivet föreslås drivas av "
                     "regionen med kommunerna som avtalsparter. Arkivmyndigheten ligger "
                     "kvar hos respektive part."),
                    (DECISION,
                     "Regionens samverkansråd ställer sig bakom att arbetet med ett gemensamt "
                     "slutarkiv fortsätter och ger arbetsgruppen i uppdrag att ta fram förslag "
                     "till avtal."),
                ),
                dnr="RS/559/2021",
                attachments=("Förstudie gemensamt slutarkiv",),
            ),
            Item(
                "Aktuella frågor om Länstrafiken",
                (
                    ("Sammanfattning",
                     "Trafikdirektören informerar om resandet i kollektivtrafiken efter "
                     "pandemin, om planerade linjeförändringar inför tidtabellsskiftet och om "
                     "samordningen mellan linjetrafik och skolskjuts i glesbygden."),
                    (DECISION, "Informationen noteras."),
                ),
            ),
            Item(
                "Resfria möten i samverkan",
                (
                    ("Sammanfattning",
                     "Samverkansrådet diskuterar om rådets egna sammanträden kan hållas som "
                     "hybridmöten. Flera kommuner har långa resvägar till Mellanstad."),
                    (DECISION,
                     "Regionens samverkansråd beslutar att vartannat sammanträde hålls som "
                     "resfritt möte."),
                ),
            ),
            Item(
                "Sammanträdestider 2022",
                (
                    (DECISION,
                     "Regionens samverkansråd sammanträder 2022 den 21 februari, 16 maj, "
                     "19 september och 21 november."),
                ),
            ),
        ),
    ),
    Meeting(
        date="2022-05-16", time="13:00–16:00", place="Rum Älven, Regionens hus, Mellanstad",
        first=0, justerare="", slug="installt-mote-2022-05-16", cancelled=True,
    ),
    Meeting(
        date="2023-03-13", time="13:00–15:30", place="Digitalt via Teams",
        first=8, justerare="Maria Lövgren (C)",
        items=(
            justerare_item("Maria Lövgren (C)", "genom digital signering"),
            agenda_item(),
            Item(
                "Gemensamt e-arkiv – lägesrapport",
                (
                    ("Sammanfattning",
                     "Arbetsgruppen redovisar läget i arbetet med det gemensamma slutarkivet "
                     "(RS/559/2021). Sju av länets åtta kommuner har beslutat att ansluta sig. "
                     "Upphandlingen av arkivsystemet beräknas vara klar under hösten 2023."),
                    (DECISION, "Regionens samverkansråd noterar informationen."),
                ),
                dnr="RS/559/2021",
            ),
            Item(
                "Samordning av skolskjuts och kollektivtrafik",
                (
                    ("Ärendet",
                     "Kommunerna upphandlar skolskjuts var för sig medan Länstrafiken "
                     "ansvarar för den allmänna kollektivtrafiken. En gemensam utredning "
                     "föreslås om hur fler elever kan åka i linjetrafik och hur "
                     "skolskjutsupphandlingar kan samordnas."),
                    ("Yrkanden",
                     "Jonas Berg (S) yrkar att utredningen även ska omfatta färdtjänst."),
                    (DECISION,
                     "Regionens samverkansråd ger Länstrafiken i uppdrag att tillsammans med "
                     "kommunerna utreda samordning av skolskjuts, färdtjänst och "
                     "kollektivtrafik."),
                ),
                dnr="RS/144/2023",
            ),
            Item(
                "Information från regionstyrelsen",
                (
                    ("Sammanfattning",
                     "Regionstyrelsens ordförande informerar om regionens ekonomiska läge och "
                     "om arbetet med regional utvecklingsstrategi."),
                    (DECISION, "Informationen noteras."),
                ),
            ),
        ),
    ),
)

RUN_MEETINGS = (
    Meeting(
        date="2022-04-25", time="09:30–12:00", place=HOUSE, first=41,
        justerare="Sofia Nyström (L)",
        items=(
            justerare_item("Sofia Nyström (L)", "den 29 april 2022"),
            Item(
                "Regionalt stöd till laddinfrastruktur på landsbygden",
                (
                    ("Sammanfattning",
                     "Utbyggnaden av publika laddstationer går långsamt i länets glesbygd. "
                     "Förvaltningen föreslår ett regionalt stöd till laddinfrastruktur vid "
                     "lanthandlar och servicepunkter, med högst 50 procent av den "
                     "stödberättigande kostnaden."),
                    ("Beslutsunderlag", "Tjänsteskrivelse 2022-04-04\n\nRiktlinjer för stödet"),
                    (DECISION,
                     "Regionala utvecklingsnämnden inrättar stöd till laddinfrastruktur på "
                     "landsbygden och avsätter 2 miljoner kronor för 2022."),
                ),
                dnr="RUN/2022/45",
                attachments=("Riktlinjer stöd till laddinfrastruktur",),
            ),
            Item(
                "Regional plan för kompetensförsörjning",
                (
                    ("Sammanfattning",
                     "Planen beskriver hur regionen tillsammans med kommunerna, "
                     "arbetsförmedlingen och näringslivet ska möta bristen på undersköterskor, "
                     "lärare och tekniker. Planen har varit på remiss hos länets kommuner."),
                    (DECISION,
                     "Regionala utvecklingsnämnden antar regional plan för "
                     "kompetensförsörjning 2022–2025."),
                ),
                dnr="RUN/2021/190",
            ),
            Item(
                "Bredbandsutbyggnad – uppföljning",
                (
                    ("Sammanfattning",
                     "Förvaltningen redovisar att 94 procent av hushållen i länet har tillgång "
                     "till snabbt bredband. Målet om 98 procent till 2025 bedöms svårt att nå "
                     "utan ytterligare statligt stöd."),
                    (DECISION, "Regionala utvecklingsnämnden noterar uppföljningen."),
                ),
                dnr="RUN/2022/12",
            ),
            notices_item("Tillväxtverket: beslut om regionala projektmedel 2022"),
        ),
    ),
    Meeting(
        date="2024-05-13", time="09:30–13:10", place=HOUSE, first=52,
        justerare="Henrik Sjödin (S)",
        items=(
            justerare_item("Henrik Sjödin (S)", "den 17 maj 2024"),
            Item(
                "Basfinansiering av Mellanland Turism AB 2025",
                (
                    ("Ärendet",
                     "Ansvaret för basfinansieringen av destinationsbolaget Mellanland "
                     "Turism AB har flyttats från regionstyrelsen till regionala "
                     "utvecklingsnämnden. Bolaget begär oförändrad basfinansiering för 2025. "
                     "Besöksnäringen har återhämtat sig efter pandemin och antalet "
                     "gästnätter ökade med elva procent 2023."),
                    ("Yrkanden",
                     "Ordföranden yrkar bifall till förslaget.\n\n"
                     "Per Hallin (SD) yrkar avslag."),
                    (DECISION,
                     "Regionala utvecklingsnämnden beviljar basfinansiering om 3 060 tkr till "
                     "Mellanland Turism AB för 2025."),
                    ("Reservation", "Per Hallin (SD) reserverar sig mot beslutet."),
                ),
                dnr="RUN/2024/88",
            ),
            Item(
                "Regionalt trafikförsörjningsprogram 2025–2030",
                (
                    ("Sammanfattning",
                     "Trafikförsörjningsprogrammet anger målen för kollektivtrafiken i länet. "
                     "Förslaget prioriterar stomlinjer mellan kommunhuvudorterna, anropsstyrd "
                     "trafik i glesbygden och samordning med skolskjuts. Länstrafiken ska "
                     "fördubbla resandet till 2030."),
                    (DECISION,
                     "Regionala utvecklingsnämnden föreslår regionfullmäktige att anta "
                     "regionalt trafikförsörjningsprogram 2025–2030."),
                ),
                dnr="RUN/2023/301",
                attachments=("Trafikförsörjningsprogram 2025–2030 remissversion",),
            ),
            Item(
                "Uppföljning av regional utvecklingsstrategi",
                (
                    ("Sammanfattning",
                     "Förvaltningen redovisar indikatorerna för den regionala "
                     "utvecklingsstrategin. Sysselsättningen har ökat medan andelen resor med "
                     "kollektivtrafik ligger kvar på samma nivå som 2019."),
                    (DECISION, "Regionala utvecklingsnämnden noterar uppföljningen."),
                ),
                dnr="RUN/2024/20",
            ),
            notices_item("Regionstyrelsens beslut om revidering av delegationsordning"),
        ),
    ),
)

REGION = Org(
    slug="region-mellanland",
    name="Region Mellanland",
    kind="region",
    town="Mellanstad",
    bodies=(
        Body(
            slug="regionstyrelsen", name="Regionstyrelsen",
            decision_heading="Regionstyrelsens beslut",
            chair="Birgitta Holm (S)",
            members=("Lars Wiklund (C)", "Karin Ekholm (M)", "Anders Grip (M)",
                     "Eva Nordin (V)", "Per Hallin (SD)", "Gunnel Åström (S)",
                     "Mats Öberg (KD)"),
            secretary="Linnea Forsberg",
            deputies=("Oskar Lindén (S)", "Helena Mattsson (C)"),
            meetings=RS_MEETINGS,
        ),
        Body(
            slug="regionens-samverkansrad", name="Regionens samverkansråd",
            decision_heading="Regionens samverkansråds beslut",
            chair="Birgitta Holm (S)",
            members=("Jonas Berg (S), Åsjö kommun", "Maria Lövgren (C), Norrvika kommun",
                     "Tomas Fält (S), Bäckå kommun", "Karin Ekholm (M), Region Mellanland"),
            secretary="Emil Sandberg",
            meetings=RSR_MEETINGS,
        ),
        Body(
            slug="regionala-utvecklingsnamnden", name="Regionala utvecklingsnämnden",
            decision_heading="Regionala utvecklingsnämndens beslut",
            chair="Henrik Sjödin (S)",
            members=("Sofia Nyström (L)", "Per Hallin (SD)", "Ingrid Kvist (C)",
                     "Ahmed Karimi (S)", "Ulla Brandt (M)"),
            secretary="Emil Sandberg",
            meetings=RUN_MEETINGS,
        ),
    ),
)
