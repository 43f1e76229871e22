"""A synthetic but realistic German corpus for the social-services office: letters,
decisions and applications of one to three pages, with names, addresses, file references,
amounts, IBANs and dates, sentences rather than word salad, and a Zipf-like vocabulary (a
few words everywhere, a long tail of compounds that occur a handful of times)."""
import random
import re
from datetime import date, timedelta

FIRST = ("Jürgen Anna Peter Sabine Michael Ursula Thomas Monika Andreas Petra Stefan Gabriele "
         "Klaus Renate Wolfgang Birgit Frank Karin Uwe Heike Jörg Claudia Dieter Martina "
         "Helmut Brigitte Ralf Susanne Bernd Sandra Özlem Mehmet Ayşe Ali Fatma Olga Igor "
         "Natalia Piotr Agnieszka Björn Jens Sören Maren Lütfiye Günther Käthe Jürgen").split()
LAST = ("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer "
        "Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger "
        "Hofmann Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze "
        "Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller "
        "Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth "
        "Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin "
        "Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas "
        "Yılmaz Kaya Demir Şahin Nowak Kowalski Wiśniewski Popescu Ivanov Petrović").split()
STREETS = ("Hauptstraße Schulstraße Gartenstraße Bahnhofstraße Dorfstraße Bergstraße "
           "Lindenstraße Kirchstraße Waldstraße Ringstraße Mühlenweg Am Markt Goethestraße "
           "Schillerstraße Friedhofsweg Rosenweg Birkenweg Wiesenweg Talstraße Feldstraße").split()
CITIES = ("Musterstadt Neustadt Altdorf Bergheim Talhausen Waldkirchen Rheinfeld Seeburg "
          "Lindau Hohenstein").split()

# Domain nouns, roughly from frequent to rare; compounds of two make the long tail.
NOUNS = ("Antrag Bescheid Leistung Unterlagen Einkommen Miete Heizkosten Nachweis Frist "
         "Widerspruch Bedarf Wohnung Vermieter Kontoauszug Haushalt Zahlung Betrag Monat "
         "Anspruch Mitwirkung Nebenkosten Kaution Umzug Arbeitgeber Lohn Rente Kindergeld "
         "Unterhalt Krankenkasse Beitrag Versicherung Vermögen Sparbuch Fahrzeug Darlehen "
         "Mahnung Erstattung Rückforderung Anhörung Bewilligung Ablehnung Aufhebung Änderung "
         "Zeitraum Bedarfsgemeinschaft Regelsatz Mehrbedarf Schwangerschaft Ernährung "
         "Behinderung Pflege Pflegegrad Hilfsmittel Eingliederung Maßnahme Schule Kita "
         "Klassenfahrt Schulbedarf Nachhilfe Mittagessen Fahrtkosten Stromkosten Abschlag "
         "Guthaben Nachzahlung Abrechnung Wasser Abwasser Müll Grundsteuer Hausrat "
         "Erstausstattung Renovierung Möbel Waschmaschine Kühlschrank Kleidung Bestattung "
         "Gutachten Arzt Attest Diagnose Therapie Klinik Aufenthalt Gericht Anwalt Vollmacht "
         "Betreuung Vormundschaft Aufenthaltstitel Pass Meldebescheinigung Ausweis Bank "
         "Überweisung Verrechnung Aufrechnung Pfändung Insolvenz Schulden Beratung Termin "
         "Gespräch Einladung Versäumnis Sanktion Minderung Kürzung Zuschuss Beihilfe").split()
ADJECTIVES = ("vorläufige endgültige beantragte bewilligte angemessene laufende einmalige "
              "monatliche fehlende vollständige unvollständige aktuelle frühere zuständige "
              "notwendige zusätzliche rückständige gesetzliche ärztliche schriftliche").split()
SENDERS = ("Jobcenter Musterstadt", "Sozialamt Musterstadt", "Stadtwerke Musterstadt",
           "AOK Nordwest", "Deutsche Rentenversicherung", "Familienkasse", "Amtsgericht",
           "Wohnungsbaugesellschaft", "Rechtsanwaltskanzlei Berger", "Caritasverband",
           "Diakonie", "Ausländerbehörde", "Bürgerbüro", "Schuldnerberatung")

SENTENCES = [
    "Hiermit beantrage ich die Übernahme der {noun} für den Monat {month}.",
    "Bitte reichen Sie die {adj} {noun} bis zum {date} ein.",
    "Die {noun} wurde am {date} bei uns eingereicht.",
    "Gegen den Bescheid vom {date} lege ich hiermit Widerspruch ein.",
    "Der {adj} Betrag in Höhe von {amount} wird auf das Konto {iban} überwiesen.",
    "Ohne den {noun} kann über Ihren Antrag nicht entschieden werden.",
    "Für die Prüfung der {noun} benötigen wir außerdem die {noun2}.",
    "Ihre Mitwirkung ist nach § 60 SGB I erforderlich.",
    "Die Kosten der {noun} werden in {adj} Höhe anerkannt.",
    "Nach Prüfung der Unterlagen ergibt sich ein Anspruch auf {noun}.",
    "Ich bitte um einen Termin zur Besprechung der {noun}.",
    "Die {noun} für {name} wurde zum {date} geändert.",
    "Wir weisen darauf hin, dass die {noun} rechtzeitig vorgelegt werden muss.",
    "Leider konnte die {noun} nicht berücksichtigt werden, da der {noun2} fehlt.",
    "Die monatliche {noun} beträgt ab dem {date} insgesamt {amount}.",
    "Meine Tochter benötigt für die {noun} einen Zuschuss.",
    "Der Vermieter hat die {noun} für das Jahr {year} übersandt.",
    "Die Rückforderung in Höhe von {amount} wird mit der laufenden {noun} aufgerechnet.",
    "Bitte teilen Sie uns Änderungen bei {noun} und {noun2} unverzüglich mit.",
    "Aufgrund der {adj} {noun} wird der Bescheid vom {date} aufgehoben.",
    "Die Anhörung nach § 24 SGB X gibt Ihnen Gelegenheit, sich zur {noun} zu äußern.",
    "Anbei übersende ich die {noun} sowie den {noun2} in Kopie.",
    "Wegen der {noun} konnte ich den Termin am {date} leider nicht wahrnehmen.",
    "Es wird festgestellt, dass die {noun} nicht angemessen ist.",
]
LETTER_KINDS = [
    ("Antrag", "Antrag auf {noun}"), ("Bescheid", "Bescheid über {noun}"),
    ("Widerspruch", "Widerspruch gegen Bescheid"), ("Anhörung", "Anhörung zur {noun}"),
    ("Mitwirkung", "Aufforderung zur Mitwirkung"), ("Nachweis", "Nachweis {noun}"),
    ("Mahnung", "Mahnung {noun}"), ("Schreiben", "Schreiben zur {noun}"),
]
MONTHS = ("Januar Februar März April Mai Juni Juli August September Oktober November "
          "Dezember").split()


class Vocabulary:
    """Nouns with Zipf weights: the simple nouns first, then compounds in a long tail."""

    def __init__(self, rng: random.Random, size: int = 40_000):
        pairs = [a + b.lower() for a in NOUNS for b in NOUNS if a != b]
        rng.shuffle(pairs)
        words = list(NOUNS) + pairs[: size - len(NOUNS)]
        while len(words) < size:  # three-part compounds for an even longer tail
            a, b, c = rng.sample(NOUNS, 3)
            words.append(a + b.lower() + c.lower())
        self.words = words
        weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(words))]
        total = 0.0
        self.cumulative = []
        for weight in weights:
            total += weight
            self.cumulative.append(total)

    def draw(self, rng: random.Random, k: int = 1) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def _iban(rng: random.Random) -> str:
    raw = f"DE{rng.randrange(10, 99)}{rng.randrange(10**20):020d}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _amount(rng: random.Random) -> str:
    return f"{rng.randrange(5, 4000)},{rng.randrange(100):02d} EUR"


def _date(rng: random.Random, base: date) -> date:
    return base - timedelta(days=rng.randrange(0, 3 * 365))


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


# Each template's fields are drawn only when the template uses them: generating a million
# letters must take minutes, not hours.
_FIELDS = {
    "noun": lambda rng, vocabulary, today: vocabulary.draw(rng)[0],
    "noun2": lambda rng, vocabulary, today: vocabulary.draw(rng)[0],
    "adj": lambda rng, vocabulary, today: rng.choice(ADJECTIVES),
    "date": lambda rng, vocabulary, today: f"{_date(rng, today):%d.%m.%Y}",
    "amount": lambda rng, vocabulary, today: _amount(rng),
    "iban": lambda rng, vocabulary, today: _iban(rng),
    "name": lambda rng, vocabulary, today: person(rng),
    "month": lambda rng, vocabulary, today: rng.choice(MONTHS),
    "year": lambda rng, vocabulary, today: rng.randrange(2019, 2027),
}
_TEMPLATES = [(template, sorted(set(re.findall(r"{(\w+)}", template)))) for template in SENTENCES]


def letter(rng: random.Random, vocabulary: Vocabulary, *, file_reference: str,
           subject: str, today: date) -> dict:
    kind, title_pattern = rng.choice(LETTER_KINDS)
    noun, noun2 = vocabulary.draw(rng, 2)
    letter_date = _date(rng, today)
    sender = rng.choice(SENDERS) if kind in ("Bescheid", "Anhörung", "Mahnung") or \
        rng.random() < 0.3 else subject
    lines = [
        sender,
        f"{rng.choice(STREETS)} {rng.randrange(1, 120)}, {rng.randrange(10000, 99999)} "
        f"{rng.choice(CITIES)}",
        f"Aktenzeichen: {file_reference}",
        f"{rng.choice(CITIES)}, {letter_date:%d.%m.%Y}",
        title_pattern.format(noun=noun),
        f"Sehr geehrte Damen und Herren, betrifft {subject}, geboren am "
        f"{_date(rng, date(1990, 1, 1)):%d.%m.%Y}.",
    ]
    pages = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
    for _ in range(pages * rng.randrange(14, 22)):
        template, fields = rng.choice(_TEMPLATES)
        lines.append(template.format(**{name: _FIELDS[name](rng, vocabulary, today)
                                        for name in fields}))
    lines.append("Mit freundlichen Grüßen")
    lines.append(sender)
    return {"title": title_pattern.format(noun=noun), "document_type": kind, "sender": sender,
            "letter_date": letter_date, "text": "\n".join(lines), "pages": pages}
