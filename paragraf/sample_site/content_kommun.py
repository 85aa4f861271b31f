"""Åsjö kommun: an invented municipality with three bodies (sample content)."""

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

HALL = "Kommunfullmäktigesalen, Stadshuset, Åsjö"
KS_ROOM = "Sammanträdesrum Sjön, Stadshuset, Åsjö"
BUN_ROOM = "Lärcentrum, Skolgatan 4, Åsjö"

KF_MEETINGS = (
    Meeting(
        date="2022-06-13", time="18:00–21:30", place=HALL, first=45,
        justerare="Ulf Persson (S) och Lena Holmgren (M)", slug="kommunfullmaktige-98710",
        items=(
            justerare_item("Ulf Persson (S) och Lena Holmgren (M)", "den 20 juni 2022"),
            Item(
                "Årsredovisning 2021 för Åsjö kommun",
                (
                    ("Sammanfattning",
                     "Kommunens resultat för 2021 uppgår till 38,4 miljoner kronor, vilket är "
                     "22 miljoner bättre än budget. Överskottet beror främst på högre "
                     "skatteintäkter än prognostiserat. Samtliga finansiella mål är uppfyllda."),
                    (DECISION,
                     "Kommunfullmäktige godkänner årsredovisningen för 2021."),
                ),
                dnr="KS 2022/51",
            ),
            Item(
                "Revisionsberättelse och ansvarsfrihet för 2021",
                (
                    ("Sammanfattning",
                     "Revisorerna tillstyrker i revisionsberättelsen att kommunfullmäktige "
                     "beviljar styrelse, nämnder och de enskilda ledamöterna ansvarsfrihet för "
                     "2021. Revisorerna riktar viss kritik mot den interna "
                     "kontrollen i barn- och utbildningsnämnden."),
                    ("Jäv",
                     "Ledamöter som själva är föremål för ansvarsprövning deltar inte i "
                     "beslutet om den egna nämnden."),
                    (DECISION,
                     "Kommunfullmäktige beviljar kommunstyrelsen och samtliga nämnder samt de "
                     "enskilda förtroendevalda i dessa organ ansvarsfrihet för 2021."),
                ),
                dnr="KS 2022/52",
                attachments=("Revisionsberättelse 2021",),
            ),
            Item(
                "Avfallsplan för Åsjö kommun 2022–2030",
                (
                    ("Ärendet",
                     "Kommunstyrelsen har tagit fram en ny avfallsplan. Planen har mål om att "
                     "minska mängden mat- och restavfall per invånare med 25 procent, att "
                     "öppna en återbruksbutik vid återvinningscentralen och att avveckla den "
                     "gamla deponin vid Kvarnmyren."),
                    ("Yrkanden",
                     "Ulf Persson (S) yrkar bifall till kommunstyrelsens förslag.\n\n"
                     "Sara Dahl (MP) yrkar att målet för matavfall skärps till 35 procent."),
                    ("Beslutsgång",
                     "Ordföranden finner att kommunfullmäktige bifaller kommunstyrelsens "
                     "förslag."),
                    (DECISION,
                     "Kommunfullmäktige antar avfallsplan för Åsjö kommun 2022–2030."),
                    ("Reservation", "Sara Dahl (MP) reserverar sig mot beslutet."),
                ),
                dnr="KS 2021/233",
            ),
            Item(
                "Detaljplan för Norra Strandängen",
                (
                    ("Sammanfattning",
                     "Detaljplanen möjliggör cirka 140 bostäder i flerbostadshus och "
                     "radhus samt en förskola med sex avdelningar på Norra Strandängen. "
                     "Planen har varit utställd för granskning och inkomna synpunkter "
                     "redovisas i ett granskningsutlåtande."),
                    (DECISION, "Kommunfullmäktige antar detaljplan för Norra Strandängen."),
                    ("Reservation",
                     "Ledamöterna för (C) reserverar sig mot beslutet med hänvisning till "
                     "översvämningsrisken vid Åsjöns strand."),
                ),
                dnr="KS 2020/310",
            ),
            Item(
                "Anmälan av motioner",
                (
                    ("Sammanfattning",
                     "Motion från Sara Dahl (MP) om fler laddplatser för elbilar vid "
                     "kommunens anläggningar har inkommit."),
                    (DECISION,
                     "Motionen överlämnas till kommunstyrelsen för beredning."),
                ),
                dnr="KS 2022/129",
            ),
        ),
    ),
    Meeting(
        date="2023-11-20", time="18:00–22:10", place=HALL, first=98,
        justerare="Amir Haddad (S) och Lena Holmgren (M)", slug="kommunfullmaktige-99342",
        items=(
            justerare_item("Amir Haddad (S) och Lena Holmgren (M)", "den 27 november 2023"),
            Item(
                "Budget 2024 och plan 2025–2026",
                (
                    ("Ärendet",
                     "Kommunstyrelsen föreslår en budget som ger ett resultat på 1,5 procent "
                     "av skatter och statsbidrag. Barn- och utbildningsnämnden får en "
                     "ramförstärkning för fler förskoleplatser och ökade kostnader för "
                     "skolskjuts."),
                    ("Yrkanden",
                     "Ulf Persson (S) yrkar bifall till kommunstyrelsens förslag.\n\n"
                     "Lena Holmgren (M) yrkar bifall till Moderaternas och Kristdemokraternas "
                     "budgetförslag."),
                    ("Omröstning",
                     "Omröstning begärs. Med 24 röster för kommunstyrelsens förslag och 17 "
                     "röster för Lena Holmgrens förslag beslutar kommunfullmäktige enligt "
                     "kommunstyrelsens förslag."),
                    (DECISION,
                     "Kommunfullmäktige fastställer budget 2024 och plan 2025–2026 enligt "
                     "kommunstyrelsens förslag."),
                    ("Reservation",
                     "Ledamöterna för (M) och (KD) reserverar sig till förmån för eget "
                     "förslag."),
                ),
                dnr="KS 2023/140",
                attachments=("Budget 2024 plan 2025–2026",),
            ),
            Item(
                "Skattesats för 2024",
                ((DECISION,
                  "Kommunfullmäktige fastställer skattesatsen för 2024 till 22,15 kronor "
                  "per skattekrona, vilket är oförändrat."),),
                dnr="KS 2023/141",
            ),
            Item(
                "Detaljplaneändring för kvarteret Lärkan",
                (
                    ("Sammanfattning",
                     "Ändringen av detaljplanen för kvarteret Lärkan tar bort en "
                     "bestämmelse om handel i bottenvåningen så att lokalen kan byggas om "
                     "till förskola. Ändringen har handlagts med standardförfarande."),
                    (DECISION,
                     "Kommunfullmäktige antar detaljplaneändring för kvarteret Lärkan."),
                ),
                dnr="KS 2023/201",
            ),
            Item(
                "Svar på motion om laddplatser vid kommunens anläggningar",
                (
                    ("Sammanfattning",
                     "I motionen föreslås att kommunen bygger laddplatser vid alla "
                     "idrottshallar och skolor. Kommunstyrelsen har i september 2023 beslutat "
                     "om en plan för laddinfrastruktur och anser att motionen därmed är "
                     "besvarad."),
                    (DECISION, "Kommunfullmäktige anser motionen besvarad."),
                ),
                dnr="KS 2022/129",
            ),
            Item(
                "Avsägelser och fyllnadsval",
                (
                    ("Sammanfattning",
                     "Johan Eld (C) har avsagt sig uppdraget som ersättare i barn- och "
                     "utbildningsnämnden."),
                    (DECISION,
                     "Kommunfullmäktige beviljar avsägelsen och väljer Maja Sten (C) till ny "
                     "ersättare för tiden till och med 2026."),
                ),
                dnr="KS 2023/18",
            ),
        ),
    ),
)

KS_MEETINGS = (
    Meeting(
        date="2021-11-03", time="08:30–12:00", place=KS_ROOM, first=160,
        justerare="Lena Holmgren (M)",
        items=(
            justerare_item("Lena Holmgren (M)", "den 8 november 2021"),
            Item(
                "Lokala föreskrifter om eldning utomhus",
                (
                    ("Sammanfattning",
                     "Räddningstjänsten föreslår nya lokala föreskrifter om eldning utomhus. "
                     "Eldning av trädgårdsavfall förbjuds inom detaljplanerat område. "
                     "Vid extrem brandrisk kan räddningschefen besluta om eldningsförbud i "
                     "hela kommunen."),
                    ("Beslutsunderlag",
                     "Räddningstjänstens tjänsteskrivelse 2021-10-12\n\n"
                     "Förslag till föreskrifter"),
                    (DECISION,
                     "Kommunstyrelsen föreslår kommunfullmäktige att anta lokala föreskrifter "
                     "om eldning utomhus."),
                ),
                dnr="KS 2021/288",
                attachments=("Förslag lokala föreskrifter eldning",),
            ),
            Item(
                "Strategi för laddinfrastruktur",
                (
                    ("Ärendet",
                     "Strategin pekar ut var kommunen ska bygga publik elbilsladdning fram "
                     "till 2025: vid resecentrum, i centrumparkeringar och vid "
                     "friluftsområden. Laddning i bostadsområden förutsätts ske i "
                     "bostadsrättsföreningarnas och fastighetsägarnas regi."),
                    ("Yrkanden",
                     "Sara Dahl (MP) yrkar att även pendlarparkeringen i Västra Åsjö ska "
                     "ingå."),
                    (DECISION,
                     "Kommunstyrelsen antar strategi för laddinfrastruktur med tillägg av "
                     "pendlarparkeringen i Västra Åsjö."),
                ),
                dnr="KS 2021/199",
            ),
            Item(
                "Behovsprognos för förskoleplatser 2022–2026",
                (
                    ("Sammanfattning",
                     "Befolkningsprognosen visar att behovet av förskoleplatser ökar med "
                     "cirka 120 platser till 2026, främst i Västra Åsjö och på Norra "
                     "Strandängen."),
                    (DECISION,
                     "Kommunstyrelsen uppdrar åt samhällsbyggnadsförvaltningen att i "
                     "samråd med barn- och utbildningsnämnden planera för en ny förskola."),
                ),
                dnr="KS 2021/300",
            ),
            Item(
                "Policy för resfria möten",
                (
                    (DECISION,
                     "Kommunstyrelsen antar policy för resfria möten. Digitala möten ska "
                     "väljas när det är möjligt."),
                ),
                dnr="KS 2021/305",
            ),
            notices_item("Delegationsbeslut enligt förteckning oktober 2021"),
        ),
    ),
    Meeting(
        date="2022-03-02", time="08:30–11:45", place=KS_ROOM, first=12,
        justerare="Amir Haddad (S)",
        items=(
            justerare_item("Amir Haddad (S)", "den 7 mars 2022"),
            agenda_item(),
            Item(
                "Avfallsplan 2022–2030 – remissversion",
                (
                    ("Sammanfattning",
                     "Ett förslag till ny avfallsplan har tagits fram av Åsjö Vatten och "
                     "Avfall AB tillsammans med kommunen. Planen ska nu skickas på remiss "
                     "till myndigheter, grannkommuner och regionen och ställas ut för "
                     "allmänheten."),
                    (DECISION,
                     "Kommunstyrelsen godkänner remissversionen av avfallsplanen och "
                     "skickar den på remiss till och med den 31 maj 2022."),
                ),
                dnr="KS 2021/233",
                attachments=("Avfallsplan 2022–2030 remissversion",),
            ),
            Item(
                "Upphandling av skolskjuts",
                (
                    ("Ärendet",
                     "Nuvarande avtal om skolskjuts löper ut i juni 2023. En ny upphandling "
                     "föreslås med krav på fossilfria fordon och bältesstolar för de yngsta "
                     "eleverna. Kostnaden beräknas till 14 miljoner kronor per år."),
                    (DECISION,
                     "Kommunstyrelsen ger kommundirektören i uppdrag att genomföra "
                     "upphandling av skolskjuts enligt förslaget."),
                ),
                dnr="KS 2022/31",
            ),
            Item(
                "Länstrafikens linjeförändringar i Åsjö",
                (
                    ("Sammanfattning",
                     "Länstrafiken föreslår att linje 12 till Bäckå dras in på helger och att "
                     "anropsstyrd trafik införs i stället. Kommunen har getts möjlighet att "
                     "yttra sig. Förvaltningen bedömer att förändringen försämrar "
                     "kollektivtrafiken för äldre på landsbygden."),
                    (DECISION,
                     "Kommunstyrelsen avstyrker förslaget att dra in helgtrafiken på linje 12."),
                ),
                dnr="KS 2022/40",
            ),
            notices_item("Region Mellanland: Protokollsutdrag om gemensamt slutarkiv"),
        ),
    ),
    Meeting(
        date="2022-05-11", time="08:30–12:30", place=KS_ROOM, first=58,
        justerare="Lena Holmgren (M)",
        items=(
            justerare_item("Lena Holmgren (M)", "den 16 maj 2022"),
            Item(
                "Avfallsplan 2022–2030 – förslag till antagande",
                (
                    ("Sammanfattning",
                     "Remissversionen av avfallsplanen godkändes enligt KS § 14 2022-03-02. "
                     "Under remisstiden har 23 yttranden kommit in. Synpunkterna har lett "
                     "till att målet för återbruk förtydligats och att nedskräpning fått ett "
                     "eget mål."),
                    (DECISION,
                     "Kommunstyrelsen föreslår kommunfullmäktige att anta avfallsplan för "
                     "Åsjö kommun 2022–2030."),
                ),
                dnr="KS 2021/233",
            ),
            Item(
                "Årsredovisning 2021",
                (
                    (DECISION,
                     "Kommunstyrelsen föreslår kommunfullmäktige att godkänna "
                     "årsredovisningen för 2021."),
                ),
                dnr="KS 2022/51",
            ),
            Item(
                "Detaljplan för Norra Strandängen – antagande",
                (
                    ("Sammanfattning",
                     "Granskningen av detaljplanen är avslutad. Länsstyrelsen har inte haft "
                     "några invändningar efter att skyddet mot höga vattennivåer "
                     "förstärkts."),
                    (DECISION,
                     "Kommunstyrelsen föreslår kommunfullmäktige att anta detaljplanen."),
                    ("Reservation", "Ledamoten för (C) reserverar sig mot beslutet."),
                ),
                dnr="KS 2020/310",
            ),
            Item(
                "Information om brandrisk och eldningsförbud",
                (
                    ("Sammanfattning",
                     "Räddningschefen informerar om att brandrisken väntas bli hög under "
                     "försommaren och att ett tillfälligt eldningsförbud kan bli aktuellt "
                     "från midsommar. Eldning med grill på egen tomt påverkas inte."),
                    (DECISION, "Informationen noteras."),
                ),
            ),
        ),
    ),
    Meeting(
        date="2023-09-06", time="08:30–13:00", place=KS_ROOM, first=131,
        justerare="Amir Haddad (S)",
        items=(
            justerare_item("Amir Haddad (S)", "den 11 september 2023"),
            agenda_item(),
            Item(
                "Anslutning till gemensamt slutarkiv",
                (
                    ("Ärendet",
                     "Region Mellanland erbjuder länets kommuner att ansluta sig till ett "
                     "gemensamt e-arkiv. Kommunens nuvarande arkivsystem är föråldrat. "
                     "Anslutningen kräver att arkivreglementet revideras så att "
                     "kommunstyrelsen kan överlämna handlingar till slutarkivet."),
                    (DECISION,
                     "Kommunstyrelsen föreslår kommunfullmäktige att Åsjö kommun ansluter "
                     "sig till det gemensamma slutarkivet och att arkivreglementet revideras."),
                ),
                dnr="KS 2023/98",
            ),
            Item(
                "Plan för laddning av elbilar vid kommunens arbetsplatser",
                (
                    ("Sammanfattning",
                     "Kommunens fordonsflotta ska vara fossilfri 2027. Planen anger att "
                     "laddplatser byggs vid stadshuset, hemtjänstens lokaler och tre "
                     "skolor under 2024. Planen svarar också på motionen om laddplatser "
                     "(KS 2022/129)."),
                    (DECISION,
                     "Kommunstyrelsen antar plan för laddning av elbilar vid kommunens "
                     "arbetsplatser."),
                ),
                dnr="KS 2023/77",
            ),
            Item(
                "Delårsrapport januari–augusti 2023",
                (
                    ("Sammanfattning",
                     "Prognosen för helåret är ett resultat på 12 miljoner kronor. "
                     "Barn- och utbildningsnämnden prognostiserar ett underskott till följd "
                     "av ökade kostnader för skolskjuts och fler barn i förskolan."),
                    (DECISION,
                     "Kommunstyrelsen godkänner delårsrapporten och överlämnar den till "
                     "kommunfullmäktige."),
                ),
                dnr="KS 2023/133",
            ),
            notices_item("Länsstyrelsen: Beslut om upphävt eldningsförbud 2023-08-15",
                         "Barn- och utbildningsnämndens protokoll 2023-08-22"),
        ),
    ),
)

BUN_MEETINGS = (
    Meeting(
        date="2023-02-14", time="13:00–16:30", place=BUN_ROOM, first=1,
        justerare="Nils Rapp (KD)",
        items=(
            justerare_item("Nils Rapp (KD)", "den 20 februari 2023"),
            agenda_item(),
            Item(
                "Förskoleplatser 2023 – kösituation och utbyggnad",
                (
                    ("Sammanfattning",
                     "I januari 2023 stod 64 barn i kö till förskola. Garantitiden på fyra "
                     "månader har hållits för alla utom sju barn. Förvaltningen föreslår "
                     "tillfälliga paviljonger vid Ekbackens förskola i väntan på en ny "
                     "förskola."),
                    (DECISION,
                     "Barn- och utbildningsnämnden godkänner att tillfälliga paviljonger "
                     "hyrs vid Ekbackens förskola."),
                ),
                dnr="BUN-2023-00012",
            ),
            Item(
                "Riktlinjer för skolskjuts",
                (
                    ("Ärendet",
                     "Riktlinjerna har setts över efter den nya upphandlingen av skolskjuts. "
                     "Avståndsgränsen är oförändrad: två kilometer för förskoleklass till "
                     "årskurs 3 och fyra kilometer för årskurs 4–9. Trafikfarlig väg kan ge "
                     "rätt till skolskjuts även vid kortare avstånd."),
                    (DECISION,
                     "Barn- och utbildningsnämnden antar reviderade riktlinjer för "
                     "skolskjuts."),
                ),
                dnr="BUN-2022-00388",
                attachments=("Riktlinjer för skolskjuts 2023",),
            ),
            Item(
                "Internbudget 2023",
                (
                    (DECISION,
                     "Barn- och utbildningsnämnden fastställer internbudget 2023 enligt "
                     "förvaltningens förslag."),
                ),
                dnr="BUN-2023-00020",
            ),
            notices_item("Delegationsbeslut december 2022 – januari 2023"),
        ),
    ),
    Meeting(
        date="2024-04-09", time="13:00–16:00", place=BUN_ROOM, first=34,
        justerare="Fatima Ali (S)",
        items=(
            justerare_item("Fatima Ali (S)", "den 15 april 2024"),
            Item(
                "Skolskjuts vid växelvis boende",
                (
                    ("Sammanfattning",
                     "Förvaltningen föreslår att elever som bor växelvis hos vårdnadshavare "
                     "i kommunen får skolskjuts från båda adresserna om avståndsreglerna är "
                     "uppfyllda."),
                    ("Yrkanden",
                     "Nils Rapp (KD) yrkar avslag med hänvisning till kostnaden."),
                    (DECISION,
                     "Barn- och utbildningsnämnden beslutar att skolskjuts beviljas vid "
                     "växelvis boende enligt förslaget."),
                    ("Reservation", "Nils Rapp (KD) reserverar sig mot beslutet."),
                ),
                dnr="BUN-2024-00131",
            ),
            Item(
                "Ny förskola i Västra Åsjö",
                (
                    ("Sammanfattning",
                     "En förskola med åtta avdelningar föreslås i Västra Åsjö för att möta "
                     "behovet av förskoleplatser. Detaljplanen medger förskola och bygglov "
                     "kan sökas under hösten 2024."),
                    (DECISION,
                     "Barn- och utbildningsnämnden begär att kommunstyrelsen startar "
                     "byggnation av en ny förskola i Västra Åsjö."),
                ),
                dnr="BUN-2023-00412",
            ),
            Item(
                "Ekonomisk uppföljning mars 2024",
                (
                    (DECISION, "Barn- och utbildningsnämnden godkänner uppföljningen."),
                ),
                dnr="BUN-2024-00015",
            ),
            notices_item("Skolinspektionens beslut efter tillsyn av Åsjöskolan"),
        ),
    ),
)

KOMMUN = Org(
    slug="asjo-kommun",
    name="Åsjö kommun",
    kind="kommun",
    town="Åsjö",
    bodies=(
        Body(
            slug="kommunfullmaktige", name="Kommunfullmäktige",
            decision_heading="Kommunfullmäktiges beslut",
            chair="Gun Lind (S)",
            members=("Ulf Persson (S)", "Lena Holmgren (M)", "Amir Haddad (S)",
                     "Sara Dahl (MP)", "Erik Strand (C)", "Nils Rapp (KD)",
                     "Fatima Ali (S)", "Bo Wallin (SD)"),
            secretary="Jenny Öhman",
            meetings=KF_MEETINGS,
        ),
        Body(
            slug="kommunstyrelsen", name="Kommunstyrelsen",
            decision_heading="Kommunstyrelsens beslut",
            chair="Ulf Persson (S)",
            members=("Lena Holmgren (M)", "Amir Haddad (S)", "Sara Dahl (MP)",
                     "Erik Strand (C)", "Bo Wallin (SD)", "Karin Ås (S)"),
            secretary="Jenny Öhman",
            deputies=("Per Lund (M)",),
            meetings=KS_MEETINGS,
        ),
        Body(
            slug="barn-och-utbildningsnamnden", name="Barn- och utbildningsnämnden",
            decision_heading="Beslut",
            chair="Fatima Ali (S)",
            members=("Nils Rapp (KD)", "Maja Sten (C)", "Olle Berg (S)", "Tove Ek (M)"),
            secretary="Patrik Nilsson",
            meetings=BUN_MEETINGS,
        ),
    ),
)
