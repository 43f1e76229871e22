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
}
MESSAGE_TYPE_LIST = ("urn:xoev-de:xdomea:codeliste:nachrichtentyp", "2.0")

# Aussonderungsart 1.0: A archive, B still to be appraised, V destroy.
APPRAISAL_LIST = ("urn:xoev-de:xdomea:codeliste:aussonderungsart", "1.0")
ARCHIVE, TO_APPRAISE, DESTROY = "A", "B", "V"

# Dateiformat 1.0: 044 is PDF/A, 018 plain PDF.
FILE_FORMAT_LIST = ("urn:xoev-de:xdomea:codeliste:dateiformat", "1.0")
PDFA, PDF = "044", "018"
