"""Three German letters in different DIN 5008 layouts, for the real-OCR recognition test."""
from tests.fixtures.letter_layouts import Text, lines_at

BODY = ["auf Ihren Antrag vom 12.01.2026 bewillige ich Ihnen Leistungen zur Sicherung",
        "des Lebensunterhalts für die Zeit vom 01.02.2026 bis 31.01.2027 in Höhe von",
        "monatlich 1.208,00 EUR. Die Berechnung entnehmen Sie bitte der Anlage."]


def jobcenter_letterhead_right() -> list[Text]:
    """An authority: letterhead top right, return-address line above the window, information
    block beside the address, a bold subject without a label."""
    return [
        *lines_at(-20, 15, ["Jobcenter Leipzig"], size=70, font="sans-bold"),
        *lines_at(-20, 25, ["Georgiring 3", "04103 Leipzig"], size=36, font="sans"),
        Text(20, 48, "Jobcenter Leipzig · Georgiring 3 · 04103 Leipzig", 30, "sans"),
        *lines_at(20, 56, ["Frau", "Sabine Krause", "Eisenbahnstraße 12", "04315 Leipzig"]),
        *lines_at(125, 56, ["Datum: 02.02.2026", "Team 412", "Telefon: 0341 913-10705"],
                  size=36, font="sans"),
        Text(20, 105, "Bewilligung von Leistungen nach dem SGB II", 46, "bold"),
        Text(20, 120, "Sehr geehrte Frau Krause,"),
        *lines_at(20, 132, BODY),
        *lines_at(20, 160, ["Mit freundlichen Grüßen", "Im Auftrag", "Hoffmann"]),
    ]


def citizen_letterhead_left() -> list[Text]:
    """A citizen: own address top left, the authority in the window, "Betreff:" label."""
    return [
        *lines_at(20, 15, ["Thomas Becker", "Mariannenstraße 5", "04315 Leipzig"]),
        *lines_at(20, 50, ["Stadt Leipzig", "Sozialamt", "Prager Straße 21", "04103 Leipzig"]),
        Text(-20, 80, "Leipzig, den 03.03.2026"),
        Text(20, 98, "Betreff: Widerspruch gegen den Bescheid vom 15.02.2026", 44, "bold"),
        Text(20, 113, "Sehr geehrte Damen und Herren,"),
        *lines_at(20, 125, ["gegen den oben genannten Bescheid lege ich hiermit Widerspruch",
                            "ein. Die Begründung reiche ich innerhalb von vier Wochen nach."]),
        *lines_at(20, 150, ["Mit freundlichen Grüßen", "Thomas Becker"]),
    ]


def court_letterhead_left() -> list[Text]:
    """A court: letterhead top left, an organisation in the window, a subject without label."""
    return [
        *lines_at(20, 15, ["Sozialgericht Leipzig"], size=64, font="sans-bold"),
        *lines_at(20, 24, ["Der Vorsitzende der 12. Kammer"], size=36, font="sans"),
        Text(20, 48, "Sozialgericht Leipzig · Berliner Straße 10 · 04105 Leipzig", 30, "sans"),
        *lines_at(20, 56, ["Jobcenter Leipzig", "Rechtsstelle", "Georgiring 3",
                           "04103 Leipzig"]),
        *lines_at(125, 56, ["Aktenzeichen: S 12 AS 345/26", "Datum: 05.05.2026"],
                  size=36, font="sans"),
        Text(20, 100, "Rechtsstreit Krause gegen Jobcenter Leipzig", 46, "bold"),
        Text(20, 115, "Sehr geehrte Damen und Herren,"),
        *lines_at(20, 127, ["anbei erhalten Sie die Klageschrift mit der Bitte, binnen vier",
                            "Wochen Stellung zu nehmen und die Verwaltungsakten zu übersenden."]),
        *lines_at(20, 152, ["Auf Anordnung", "Lehmann"]),
    ]


LAYOUTS = {  # name: (texts, sender, subject)
    "jobcenter": (jobcenter_letterhead_right, "Jobcenter Leipzig",
                  "Bewilligung von Leistungen nach dem SGB II"),
    "buerger": (citizen_letterhead_left, "Thomas Becker",
                "Widerspruch gegen den Bescheid vom 15.02.2026"),
    "gericht": (court_letterhead_left, "Sozialgericht Leipzig",
                "Rechtsstreit Krause gegen Jobcenter Leipzig"),
}
