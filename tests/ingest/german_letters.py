"""Plain-text German letters of the kinds a social-services mailroom receives, written by hand
for the recognition tests (what OCR of a clean scan gives: lines, blank lines)."""

ANTRAG = """Jürgen Müller · Grüner Weg 17 · 80331 München

Landeshauptstadt München
Sozialreferat
Werinherstraße 87
81541 München

München, den 14.03.2026

Antrag auf Übernahme der Heizkostennachzahlung

Sehr geehrte Damen und Herren,

hiermit beantrage ich die Übernahme der Nachzahlung aus der Heizkostenabrechnung für das
Jahr 2025. Die Abrechnung der Stadtwerke ist diesem Schreiben beigefügt. An meinen
Verhältnissen hat sich seit dem letzten Bewilligungsbescheid nichts geändert.

Mit freundlichen Grüßen
Jürgen Müller
"""

BESCHEID = """Jobcenter Leipzig · Georgiring 3 · 04103 Leipzig

Frau
Sabine Krause
Eisenbahnstraße 12
04315 Leipzig
                                                    Datum: 02.02.2026
                                                    BG-Nummer: 25301BG0012345

Bewilligungsbescheid über Leistungen zur Sicherung des Lebensunterhalts

Sehr geehrte Frau Krause,

auf Ihren Antrag vom 12.01.2026 bewillige ich Ihnen und den mit Ihnen in der
Bedarfsgemeinschaft lebenden Personen Leistungen für die Zeit vom 01.02.2026 bis 31.01.2027
in Höhe von monatlich 1.208,00 EUR. Die Berechnung entnehmen Sie bitte der Anlage.

Rechtsbehelfsbelehrung
Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben
werden. Der Widerspruch ist beim Jobcenter Leipzig einzulegen.

Mit freundlichen Grüßen
Im Auftrag
Hoffmann
"""

WIDERSPRUCH = """Sabine Krause
Eisenbahnstraße 12
04315 Leipzig

Jobcenter Leipzig
Georgiring 3
04103 Leipzig

Leipzig, 20.02.2026
BG-Nummer: 25301BG0012345

Widerspruch gegen den Bescheid vom 02.02.2026

Sehr geehrte Damen und Herren,

gegen Ihren Bescheid vom 02.02.2026 lege ich hiermit Widerspruch ein. Die Kosten meiner
Unterkunft wurden nicht in voller Höhe berücksichtigt. Der Mietvertrag liegt Ihnen vor.
Eine Begründung reiche ich nach.

Mit freundlichen Grüßen
Sabine Krause
"""

WIDERSPRUCHSBESCHEID = """Jobcenter Leipzig · Widerspruchsstelle · Georgiring 3 · 04103 Leipzig

Frau
Sabine Krause
Eisenbahnstraße 12
04315 Leipzig
                                                    Datum: 10.04.2026

Widerspruchsbescheid

Ihr Widerspruch vom 20.02.2026 gegen den Bescheid vom 02.02.2026

Sehr geehrte Frau Krause,

Ihr Widerspruch wird als unbegründet zurückgewiesen. Die Kosten der Unterkunft sind in
angemessener Höhe berücksichtigt worden. Aufwendungen im Widerspruchsverfahren werden nicht
erstattet.

Rechtsbehelfsbelehrung
Gegen diesen Widerspruchsbescheid kann innerhalb eines Monats nach Bekanntgabe Klage beim
Sozialgericht Leipzig erhoben werden.

Mit freundlichen Grüßen
Im Auftrag
Seidel
"""

EINKOMMENSNACHWEIS = """Bäckerei Sommer GmbH · Hauptstraße 8 · 04109 Leipzig

Frau
Sabine Krause
Eisenbahnstraße 12
04315 Leipzig

Entgeltabrechnung für Januar 2026

Personalnummer 0815            Steuerklasse II            Eintritt 01.09.2023

Gehalt                                   1.450,00
Gesamtbrutto                             1.450,00
Lohnsteuer                                  18,25
Sozialversicherung                         295,07
Nettobezüge                              1.136,68
Auszahlungsbetrag                        1.136,68
"""

KONTOAUSZUG = """Sparkasse Leipzig
Kontoauszug 3/2026                                         Blatt 1
Sabine Krause         IBAN DE12 8605 5592 1100 2233 44

Buchungstag  Wertstellung  Vorgang                                   Betrag
02.03.2026   02.03.2026    Miete März Wohnungsbau eG                -520,00
03.03.2026   03.03.2026    Jobcenter Leipzig Leistungen SGB II     1.208,00
05.03.2026   05.03.2026    Stadtwerke Leipzig Abschlag               -74,00

alter Kontostand vom 28.02.2026                                       312,40
neuer Kontostand vom 31.03.2026                                       926,40
"""

MIETBESCHEINIGUNG = """Wohnungsbaugenossenschaft Leipzig-Ost eG
Torgauer Straße 100 · 04318 Leipzig

Mietbescheinigung
zur Vorlage beim Jobcenter

Mieterin: Sabine Krause, geboren am 04.07.1988
Wohnung: Eisenbahnstraße 12, 04315 Leipzig, 2. OG links
Wohnfläche: 58 m²              Beginn des Mietverhältnisses: 01.05.2021

Grundmiete (Nettokaltmiete)                    390,00 EUR
Vorauszahlung Betriebskosten                    85,00 EUR
Vorauszahlung Heizkosten                        45,00 EUR
Gesamtmiete                                    520,00 EUR

Leipzig, 15.03.2026
Wohnungsbaugenossenschaft Leipzig-Ost eG, der Vermieter
"""

ATTEST = """Dr. med. Katrin Vogel
Fachärztin für Allgemeinmedizin
Karl-Liebknecht-Straße 40 · 04107 Leipzig

Ärztliches Attest

Frau Sabine Krause, geb. 04.07.1988, befindet sich seit dem 10.01.2026 in meiner
hausärztlichen Behandlung. Aufgrund einer chronischen Erkrankung ist sie bis auf Weiteres
nicht in der Lage, Termine vor 10 Uhr wahrzunehmen. Eine Vollzeittätigkeit ist ihr derzeit
nicht zuzumuten.

Leipzig, 03.03.2026
Dr. med. K. Vogel
"""

SOZIALGERICHT = """Sozialgericht Leipzig
Berliner Straße 10, 04105 Leipzig

Jobcenter Leipzig
Rechtsstelle
Georgiring 3
04103 Leipzig

Aktenzeichen: S 12 AS 345/26              Leipzig, 05.05.2026

In dem Rechtsstreit
Sabine Krause ./. Jobcenter Leipzig

Sehr geehrte Damen und Herren,

anbei erhalten Sie die Klageschrift vom 28.04.2026 mit der Bitte, binnen vier Wochen Stellung
zu nehmen und die Verwaltungsakten zu übersenden. Die Klage richtet sich gegen den
Widerspruchsbescheid vom 10.04.2026.

Auf Anordnung
Lehmann, Justizbeschäftigte
"""

ANHOERUNG = """Jobcenter Leipzig · Georgiring 3 · 04103 Leipzig

Herrn
Thomas Becker
Mariannenstraße 5
04315 Leipzig
                                              Kundennummer: 253D001234

Anhörung nach § 24 SGB X

Sehr geehrter Herr Becker,

nach den mir vorliegenden Unterlagen haben Sie im Dezember 2025 Einkommen erzielt, das Sie
nicht angegeben haben. Ich beabsichtige daher, die Bewilligung für diesen Monat teilweise
aufzuheben und 312,00 EUR zurückzufordern. Bevor ich entscheide, haben Sie Gelegenheit zur
Stellungnahme bis zum 30.03.2026.

Mit freundlichen Grüßen
Im Auftrag
Hoffmann
"""

MAHNUNG = """Stadt Leipzig · Stadtkasse · 04092 Leipzig

Herrn
Thomas Becker
Mariannenstraße 5
04315 Leipzig
                                              Kassenzeichen 5.0520.123456.7

Zahlungserinnerung

Sehr geehrter Herr Becker,

laut unseren Unterlagen ist die Forderung aus dem Erstattungsbescheid vom 15.01.2026 in
Höhe von 312,00 EUR noch offen. Wir bitten Sie, den Betrag bis zum 20.04.2026 zu
überweisen. Sollte die Zahlung bereits erfolgt sein, betrachten Sie dieses Schreiben als
gegenstandslos. Bei weiterem Zahlungsrückstand wird eine Mahngebühr erhoben.

Mit freundlichen Grüßen
Stadtkasse
"""

VOLLMACHT = """Vollmacht

Hiermit bevollmächtige ich,

Thomas Becker, geboren am 12.11.1975, wohnhaft Mariannenstraße 5, 04315 Leipzig,

Frau Rechtsanwältin Petra Lange, Kanzlei Lange & Partner, Brühl 4, 04109 Leipzig,

mich in allen Angelegenheiten gegenüber dem Jobcenter Leipzig zu vertreten, Akteneinsicht
zu nehmen und Bescheide in Empfang zu nehmen.

Leipzig, den 02.03.2026

Thomas Becker
"""

MELDEBESCHEINIGUNG = """Stadt Leipzig
Bürgeramt Ost
Meldebehörde

Meldebescheinigung
(einfache Meldebescheinigung nach § 18 Abs. 1 Bundesmeldegesetz)

Familienname: Becker
Vornamen: Thomas
Geburtsdatum: 12.11.1975
Anschrift: Mariannenstraße 5, 04315 Leipzig
Wohnungsstatus: alleinige Wohnung
Einzugsdatum: 01.08.2019

Leipzig, 28.02.2026
Im Auftrag
"""

BY_TYPE = {
    "antrag": ANTRAG, "bescheid": BESCHEID, "widerspruch": WIDERSPRUCH,
    "widerspruchsbescheid": WIDERSPRUCHSBESCHEID, "einkommensnachweis": EINKOMMENSNACHWEIS,
    "kontoauszug": KONTOAUSZUG, "mietvertrag": MIETBESCHEINIGUNG, "attest": ATTEST,
    "sozialgericht": SOZIALGERICHT, "anhoerung": ANHOERUNG, "mahnung": MAHNUNG,
    "vollmacht": VOLLMACHT, "meldebescheinigung": MELDEBESCHEINIGUNG,
}
