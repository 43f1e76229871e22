"""Values from the published xdomea 3.0.0 code lists, as they are written in the messages.
tests/retention/test_xdomea_codes.py checks each one against the genericode files."""

NS = "urn:xoev-de:xdomea:schema:3.0.0"
VERSION = "3.0.0"

# Nachrichtentyp 2.0: code -> element name of the message.
MESSAGES = {
    "0501": "Aussonderung.Anbieteverzeichnis.0501",
    "0502": "Aussonderung.Bewertungsverzeichnis.0502",
    "0503": "Aussonderung.Aussonderung.0503",
    "0504": "Aussonderung.AnbietungEmpfangBestaetigen.0504",
    "0505": "Aussonderung.BewertungEmpfangBestaetigen.0505",
    "0506": "Aussonderung.AussonderungImportBestaetigen.0506",
    "0507": "Aussonderung.AussonderungEmpfangBestaetigen.0507",
    "0301": "Aktenplan.Aktenplan.0301",
}
MESSAGE_TYPE_LIST = ("urn:xoev-de:xdomea:codeliste:nachrichtentyp", "2.0")

# Aussonderungsart 1.0: A archive, B still to be appraised, V destroy.
APPRAISAL_LIST = ("urn:xoev-de:xdomea:codeliste:aussonderungsart", "1.0")
ARCHIVE, TO_APPRAISE, DESTROY = "A", "B", "V"

# Dateiformat 1.0: 044 is PDF/A, 018 plain PDF.
FILE_FORMAT_LIST = ("urn:xoev-de:xdomea:codeliste:dateiformat", "1.0")
PDFA, PDF = "044", "018"

# Vertraulichkeitsstufe 1.0: 001 Geheim, 002 NfD, 003 Offen, 004 Streng geheim, 005 Vertraulich.
# Registratur's levels are need-to-know levels for social data, not classifications under the
# VS-Anweisung, so no file is marked Geheim or Streng geheim: a normal social-data file is
# "nur für den Dienstgebrauch" (§ 35 SGB I makes all of it protected), a confidential one
# Vertraulich, and a strictly confidential one Vertraulich too, with the stricter level named
# in the application-specific marks.
CONFIDENTIALITY_LIST = ("urn:xoev-de:xdomea:codeliste:vertraulichkeitsstufe", "1.0")
CONFIDENTIALITY = {0: "002", 1: "005", 2: "005"}

# What the archive decided in its 0502, as the 0503 carries it (and "B" until it has).
APPRAISAL_BY_DECISION = {"archive": ARCHIVE, "destroy": DESTROY, "": TO_APPRAISE}

# A file-plan unit's default in the 0301 export, from its retention schedule's action: what
# is offered (or reviewed) is for the archive to appraise, what is destroyed is marked so.
APPRAISAL_BY_ACTION = {"offer": TO_APPRAISE, "review": TO_APPRAISE, "destroy": DESTROY}
