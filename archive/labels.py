"""The vocabulary people read: German labels for every action of the trail, every kind of
object it names and every error code, translated through Django i18n (msgids are German, the
UI's first language; `web/locale` ships English). The kernel owns the vocabulary, so that
pages, PDFs and CSV of every app say the same thing. Statuses are model choices and carry
their labels there (`get_state_display`); `choice_label` reaches them by value.

`tests/test_labels.py` reads the source for every action written to the trail and every
error code raised or recorded, and fails for one without a label here."""
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

EVENT_ACTIONS = {
    # reading (the access function; each read is one entry with its purpose)
    "viewed": _("angesehen"),
    "previewed": _("Vorschaubild angezeigt"),
    "downloaded": _("heruntergeladen"),
    "exported": _("exportiert"),
    "disclosed": _("offengelegt (Akteneinsicht/Übersendung)"),
    "disclosure_downloaded": _("Einsichtspaket heruntergeladen"),
    "listed": _("Liste angezeigt"),
    "searched": _("gesucht"),
    "read_refused": _("Lesezugriff verweigert"),
    "report": _("Bericht erstellt"),
    # replacement scanning (archive/services/scan_qa.py)
    "scan_qa_passed": _("Sichtprüfung des Scans bestanden"),
    "scan_qa_rejected": _("Sichtprüfung des Scans abgelehnt, neu scannen"),
    "rescan_received": _("Neuscan eingegangen"),
    "paper_released": _("Papieroriginal zur Vernichtung freigegeben"),
    # sessions
    "login": _("angemeldet"),
    "login_failed": _("Anmeldung fehlgeschlagen"),
    "logout": _("abgemeldet"),
    "login_locked": _("Anmeldung gesperrt (zu viele Fehlversuche)"),
    "second_factor_verified": _("zweiter Faktor bestätigt"),
    "second_factor_failed": _("zweiter Faktor falsch"),
    "second_factor_set_up": _("zweiter Faktor eingerichtet"),
    "second_factor_reset": _("zweiter Faktor zurückgesetzt"),
    "token_created": _("API-Token angelegt"),
    "token_revoked": _("API-Token widerrufen"),
    # records
    "created": _("angelegt"),
    "changed": _("geändert"),
    "moved": _("verschoben"),
    "filed": _("abgelegt"),
    "inbox": _("in den Posteingang gelegt"),
    "confirmed": _("Vorschlag bestätigt"),
    "version_added": _("neue Version hinzugefügt"),
    "closed": _("geschlossen (zdA)"),
    "reopened": _("wieder aufgenommen"),
    "shared": _("freigegeben"),
    "unshared": _("Freigabe entzogen"),
    "person_named": _("Person benannt"),
    "reactivated": _("wieder aktiviert"),
    "deactivated": _("deaktiviert"),
    "schedule_changed": _("Aufbewahrungsfrist zugeordnet"),
    "imported": _("importiert"),
    "destroyed": _("vernichtet"),
    "deleted": _("gelöscht"),
    # ingest
    "received": _("eingegangen"),
    "quarantined": _("in Quarantäne genommen"),
    "transfer_note": _("Transfervermerk erstellt"),
    "quarantine_retried": _("aus der Quarantäne erneut verarbeitet"),
    "quarantine_released": _("aus der Quarantäne freigegeben"),
    "quarantine_handed": _("aus der Quarantäne an ein Sachgebiet übergeben"),
    # accounts
    "password_link_issued": _("Link zum Setzen des Kennworts ausgestellt"),
    "password_set": _("Kennwort gesetzt"),
    # break-glass
    "break_glass": _("Notfallzugriff geöffnet"),
    "break_glass_reviewed": _("Notfallzugriff geprüft"),
    # data subjects' rights
    "restricted": _("Verarbeitung eingeschränkt"),
    "unrestricted": _("Einschränkung aufgehoben"),
    "disputed": _("Richtigkeit bestritten"),
    "dispute_settled": _("Bestreitung erledigt"),
    "erasure_requested": _("Löschantrag erfasst"),
    "erasure_decided": _("über Löschantrag entschieden"),
    # retention and disposal
    "hold_placed": _("Sperre gesetzt"),
    "hold_lifted": _("Sperre aufgehoben"),
    "retention_changed": _("Aufbewahrung neu berechnet"),
    "retention_shortened": _("Aufbewahrung verkürzt"),
    "retention_extended": _("Aufbewahrung verlängert"),
    "event_recorded": _("Ereignis für die Aufbewahrung erfasst"),
    "disposal_due": _("fällige Aussonderungen ermittelt"),
    "disposal_proposed": _("Aussonderung vorgeschlagen"),
    "disposal_approved": _("Aussonderung genehmigt"),
    "disposal_executed": _("Aussonderung vollzogen"),
    "disposal_blocked": _("Aussonderung blockiert"),
    "disposal_rejected": _("Aussonderung abgelehnt"),
    # hand-over to the public archive (xdomea)
    "archive_offered": _("dem Archiv angeboten"),
    "file_plan_exported": _("Aktenplan exportiert (xdomea 0301)"),
    # outgoing webhooks
    "webhook_subscribed": _("Webhook angelegt"),
    "webhook_deactivated": _("Webhook deaktiviert"),
    "webhook_resent": _("Webhook-Zustellung erneut gesendet"),
    "archive_receipt": _("Empfangsbestätigung des Archivs erhalten"),
    "archive_appraised": _("vom Archiv bewertet"),
    "archive_appraisal_received": _("Bewertung des Archivs erhalten"),
    "archive_transferred": _("an das Archiv übergeben"),
    "archive_handed_over": _("an das Archiv abgegeben"),
    "archive_import_confirmed": _("Übernahme durch das Archiv bestätigt"),
    "archive_import_received": _("Übernahmebestätigung des Archivs erhalten"),
    "archive_transfer_protocol": _("Übergabeprotokoll erstellt"),
    "archive_import_failed": _("Übernahme durch das Archiv gescheitert"),
    "archive_destruction_blocked": _("Vernichtung nach Abgabe blockiert"),
    "archive_message_received": _("Nachricht des Archivs eingelesen"),
    "archive_message_refused": _("Nachricht des Archivs zurückgewiesen"),
    # the caseworker's desk (issue 13)
    "responsible_changed": _("Bearbeitung geändert"),
    "handed_over": _("abgegeben (mit Notiz)"),
    "desk_done": _("auf dem Arbeitsplatz erledigt"),
    "deputy_named": _("Vertretung benannt"),
    "deputy_removed": _("Vertretung entfernt"),
    "absence_recorded": _("Abwesenheit eingetragen"),
    "absence_removed": _("Abwesenheit gelöscht"),
    "digest_changed": _("E-Mail-Übersicht eingestellt"),
    # the store's own checks
    "fixity_checked": _("Bestand geprüft"),
    "fixity_alert": _("Bestandsfehler gefunden"),
    # co-signing and sign-off (signoff app)
    "signoff_route_started": _("in Zeichnungsumlauf gegeben"),
    "cosigned": _("mitgezeichnet"),
    "signoff_refused": _("Zeichnung abgelehnt"),
    "signed_off": _("schlussgezeichnet"),
    "signoff_route_withdrawn": _("Zeichnungsumlauf zurückgezogen"),
    "signing_limit_set": _("Zeichnungsgrenze festgelegt"),
    # follow-ups and deadlines (followups)
    "follow_up_created": _("Wiedervorlage angelegt"),
    "follow_up_moved": _("Wiedervorlage verschoben"),
    "follow_up_closed": _("Wiedervorlage erledigt"),
    "deadline_done": _("Frist als erledigt vermerkt"),
    # misuse alerts (oversight)
    "alert_raised": _("Hinweis auf Missbrauch erzeugt"),
    "alert_opened": _("Hinweis auf Missbrauch geöffnet"),
    "alert_reviewed": _("Hinweis auf Missbrauch geprüft"),
    "alert_rule_changed": _("Regel für Hinweise geändert"),
    # backup and restore
    "backup_written": _("Sicherung geschrieben"),
    "restored": _("aus einer Sicherung wiederhergestellt"),
    # log retention and four-eyes analysis of the trail (issue 14.2)
    "trail_segment_removed": _("Protokollabschnitt nach Ablauf der Frist gelöscht"),
    "trail_analysis_requested": _("Auswertung des Protokolls beantragt"),
    "trail_analysis_approved": _("Auswertung des Protokolls genehmigt"),
    "trail_analysis_refused": _("Auswertung des Protokolls abgelehnt"),
}

OBJECT_TYPES = {
    "case_file": _("Akte"),
    "document": _("Dokument"),
    "process": _("Vorgang"),
    "file_plan": _("Aktenplan"),
    "webhook": _("Webhook"),
    "plan_unit": _("Aktenplaneinheit"),
    "document_type": _("Dokumenttyp"),
    "correspondent": _("Absender"),
    "staff": _("Benutzerkonto"),
    "unit": _("Organisationseinheit"),
    "session": _("Anmeldung"),
    "api_token": _("API-Token"),
    "ingest_job": _("Eingang"),
    "disposal": _("Aussonderungsliste"),
    "retention_schedule": _("Aufbewahrungsfrist"),
    "transfer": _("Abgabe an das Archiv"),
    "xdomea_message": _("xdomea-Nachricht"),
    "package": _("Aktenpaket"),
    "report": _("Bericht"),
    "search": _("Suche"),
    "saved_search": _("gespeicherte Suche"),
    "inbox": _("Posteingang"),
    "case_file_list": _("Aktenübersicht"),
    "document_list": _("Dokumentenliste"),
    "retention": _("Aufbewahrung"),
    "blob": _("gespeicherte Datei"),
    "blob_store": _("Dateiablage"),
    "desk": _("Arbeitsplatz"),
    "handover": _("Abgabe an eine Kollegin oder einen Kollegen"),
    "follow_up": _("Wiedervorlage"),
    "follow_up_list": _("Wiedervorlagenliste"),
    "correspondent_list": _("Absenderliste"),
    "hold_list": _("Liste der Aufbewahrungssperren"),
    "deadline_list": _("Fristenliste"),
    "deadline_rule": _("Fristregel"),
    "instance": _("Instanz"),
    "alert": _("Hinweis auf Missbrauch"),
    "alert_rule": _("Regel für Hinweise"),
    "trail": _("Protokoll"),
    "trail_analysis": _("Auswertung des Protokolls"),
}

REPORT_KINDS = {
    "case_file": _("Akte"),
    "person": _("Person"),
    "user": _("Benutzer"),
}

CHANNELS = {
    "web": _("Web"),
    "api": _("Schnittstelle (API)"),
    "cli": _("Kommandozeile"),
    "scheduler": _("Zeitplan"),
    "system": _("System"),
}

# On what ground a read was allowed (archive.permissions.read_basis), as the report says it.
READ_BASES = {
    "inbox": _("Posteingang"),
    "restricted": _("eingeschränkte Verarbeitung"),
    "staff_case": _("benannte Person im Beschäftigtenfall"),
    "unit": _("eigenes Sachgebiet"),
    "break_glass": _("Notfallzugriff"),
    "share": _("Freigabe an das Sachgebiet"),
}

ERROR_CODES = {
    # the base classes (archive/errors.py, ingest/errors.py)
    "ERROR": _("Fehler"),
    # file notes and signing routes (signoff app)
    "NOTE_KIND_UNKNOWN": _("Art des Vermerks fehlt"),
    "NOTE_DATE_MISSING": _("Datum des Vermerks fehlt"),
    "NOTE_DATE_IN_FUTURE": _("Datum des Vermerks liegt in der Zukunft"),
    "NOTE_EMPTY": _("Vermerk ist leer"),
    "NOTE_TOO_LONG": _("Vermerk zu lang"),
    "NOT_A_FILE_NOTE": _("kein Aktenvermerk"),
    "DOCUMENT_SIGNED_OFF": _("Dokument ist schlussgezeichnet"),
    "DISCLOSURE_INCOMPLETE": _("Angaben zur Offenlegung unvollständig"),
    "DISCLOSURE_EMPTY": _("keine gültige Dokumentauswahl"),
    "DISCLOSURE_CHANGED": _("Dokument während der Paketerstellung geändert"),
    "DISCLOSURE_FAILED": _("Paketerstellung fehlgeschlagen"),
    "DISCLOSURE_BLOB_MISSING": _("gespeicherte Datei für das Paket fehlt"),
    "DOCUMENT_ON_ROUTE": _("Dokument ist im Zeichnungsumlauf"),
    "OWN_DRAFT": _("eigener Entwurf"),
    "ROUTE_MEMBER_UNKNOWN": _("Person oder Einheit unbekannt"),
    "ROUTE_MEMBER_CANNOT_READ": _("darf das Dokument nicht lesen"),
    "FINAL_SIGNER_MISSING": _("Schlusszeichnung fehlt"),
    "ROUTE_TOO_LONG": _("Umlauf zu lang"),
    "ROUTE_ALREADY_OPEN": _("bereits im Umlauf"),
    "ROUTE_CLOSED": _("Umlauf abgeschlossen"),
    "NOT_YOUR_STEP": _("nicht Ihre Station"),
    "NOT_ROUTE_AUTHOR": _("nicht Ihr Umlauf"),
    "SIGNING_AUTHORITY_MISSING": _("kein Zeichnungsrecht"),
    "SIGNING_LIMIT_EXCEEDED": _("über der Zeichnungsgrenze"),
    "AMOUNT_INVALID": _("Betrag ungültig"),
    "COMMENT_MISSING": _("Begründung fehlt"),
    "COMMENT_TOO_LONG": _("Anmerkung zu lang"),
    "NOT_FOUND": _("nicht gefunden"),
    "PURPOSE_REQUIRED": _("Zweck erforderlich"),
    "PERMISSION_DENIED": _("keine Berechtigung"),
    "INVALID_INPUT": _("ungültige Eingabe"),
    "DESTROYED": _("vernichtet"),
    "CONFLICT": _("Zustand lässt die Aktion nicht zu"),
    "INTEGRITY_FAILURE": _("Integritätsprüfung fehlgeschlagen"),
    # the REST API (web/api/errors.py: what the framework itself refuses) and its uploads
    "MALFORMED_REQUEST": _("Anfrage nicht lesbar"),
    "NOT_AUTHENTICATED": _("Anmeldung erforderlich"),
    "METHOD_NOT_ALLOWED": _("Methode nicht erlaubt"),
    "NOT_ACCEPTABLE": _("Antwortformat nicht verfügbar"),
    "UNSUPPORTED_MEDIA_TYPE": _("Format der Anfrage nicht unterstützt"),
    "THROTTLED": _("zu viele Anfragen"),
    "PROCESS_NOT_IN_FILE": _("Vorgang gehört nicht zur Akte"),
    "DIRECTION_UNKNOWN": _("Richtung unbekannt"),
    "REFUSED": _("abgewiesen"),
    "INGEST_FAILED": _("Verarbeitung fehlgeschlagen"),
    "TRANSIENT_ERROR": _("vorübergehender Fehler"),
    "INTERNAL_ERROR": _("interner Fehler"),
    # input at the door
    "INPUT_CONTROL_CHARACTER": _("unzulässiges Steuerzeichen in der Eingabe"),
    "INPUT_OUT_OF_RANGE": _("Eingabe außerhalb des zulässigen Bereichs"),
    "ARGUMENTS_MISSING": _("Angaben fehlen"),
    "DATE_INVALID": _("ungültiges Datum"),
    "INVALID_DATE": _("ungültiges Datum"),
    "DATE_REQUIRED": _("Datum fehlt"),
    "REASON_REQUIRED": _("Begründung fehlt"),
    # misuse alerts (oversight)
    "ALERT_OUTCOME": _("Ergebnis der Prüfung fehlt"),
    "ALERT_REVIEWED": _("Hinweis schon geprüft"),
    "ALERT_NOT_OPENED": _("Hinweis noch nicht geöffnet"),
    "ALERT_RULE_UNKNOWN": _("unbekannte Regel"),
    "ALERT_RULE_INVALID": _("ungültige Einstellung der Regel"),
    "PERSON_REQUIRED": _("Person fehlt"),
    "USER_REQUIRED": _("Benutzer fehlt"),
    "ROLE_REQUIRED": _("Rolle fehlt"),
    "TARGET_REQUIRED": _("Ziel fehlt"),
    "OUT_REQUIRED": _("Ausgabeort fehlt"),
    "USER_UNKNOWN": _("Benutzer unbekannt"),
    "FILE_UNKNOWN": _("Datei unbekannt"),
    "NO_FILE": _("keine Datei übermittelt"),
    "NO_CHANGE": _("keine Änderung"),
    "PAGES_DECLARED": _("Seitenzahl ungültig"),
    "RESOLUTION_DECLARED": _("Auflösung ungültig"),
    "PAGE_RANGE": _("ungültiger Seitenbereich"),
    "REPORT_KIND": _("unbekannte Berichtsart"),
    "TRAIL_RETENTION_NOT_PERMITTED": _("Löschen von Protokollabschnitten nicht erlaubt"),
    "TRAIL_RETENTION_UNVERIFIED": _("Protokoll nicht unversehrt, nichts gelöscht"),
    "TRAIL_ANALYSIS_NOT_APPROVED": _("Auswertung des Protokolls nicht genehmigt"),
    "TRAIL_ANALYSIS_SAME_PERSON": _("Vier-Augen-Prinzip: nicht dieselbe Person"),
    "TRAIL_ANALYSIS_SAME_ROLE": _("Vier-Augen-Prinzip: andere Rolle nötig"),
    "TRAIL_ANALYSIS_DECIDED": _("Antrag bereits entschieden"),
    "TRAIL_ANALYSIS_PERIOD": _("Zeitraum ungültig"),
    "DPO_ONLY": _("nur für den Datenschutz"),
    "REASON_MISSING": _("Begründung fehlt"),
    "REASON_TOO_LONG": _("Begründung zu lang"),
    "WIDTH_INVALID": _("ungültige Bildbreite"),
    "VERSION_MISSING": _("Version fehlt"),
    "VERSIONS_REQUIRED": _("zwei Versionen zum Vergleich nötig"),
    # case files, processes, documents
    "CASE_FILE_CLOSED": _("Akte ist geschlossen (zdA)"),
    "CASE_FILE_UNKNOWN": _("Akte unbekannt"),
    "UNKNOWN_FILE_REFERENCE": _("Aktenzeichen unbekannt"),
    "NOT_CLOSED": _("Akte ist nicht geschlossen"),
    "NOT_FILED": _("Dokument ist keiner Akte zugeordnet"),
    "PROCESS_CLOSED": _("Vorgang ist abgeschlossen"),
    "PROCESS_NOT_CLOSED": _("Vorgang ist nicht abgeschlossen"),
    "PROCESS_MISMATCH": _("Vorgang gehört zu einer anderen Akte"),
    "VERSION_NOT_CURRENT": _("Version ist nicht mehr aktuell"),
    "DUPLICATE": _("Duplikat"),
    "SHARE_OWN_UNIT": _("Freigabe an die eigene Organisationseinheit"),
    "STAFF_CASE_NOT_SHAREABLE": _("Beschäftigtenakte kann nicht freigegeben werden"),
    "NOT_STAFF_CASE": _("keine Beschäftigtenakte"),
    "PERSON_NOT_ELIGIBLE": _("Person kann nicht benannt werden"),
    "CORRESPONDENT_NAME_MISSING": _("Name des Absenders fehlt"),
    "REDACTION_FAILED": _("Schwärzung fehlgeschlagen"),
    "BOXES_INVALID": _("gezeichnete Schwärzungsbereiche ungültig"),
    "NO_RENDITION": _("keine darstellbare Fassung"),
    "PAGE_IMAGE_FAILED": _("Seite nicht darstellbar"),
    "FILE_REFERENCE_NOT_AVAILABLE": _("keine Akte unter diesem Aktenzeichen zum Ablegen verfügbar"),
    "MOVE_TARGET_AMBIGUOUS": _("Ziel widersprüchlich: Akte und Posteingang zugleich"),
    # file plan and document types
    # the caseworker's desk
    "NOT_A_UNIT_MEMBER": _("nicht Mitglied der Organisationseinheit"),
    "DEPUTY_NOT_ELIGIBLE": _("kann nicht vertreten"),
    "ABSENCE_INVALID": _("Abwesenheit ungültig"),
    "HANDOVER_TARGET": _("Akte oder Dokument zur Abgabe fehlt"),
    "HANDOVER_RECIPIENT": _("Empfänger der Abgabe ungültig"),
    "HANDOVER_NOT_READABLE": _("Empfänger darf nicht lesen"),
    "HANDOVER_NOTE_TOO_LONG": _("Notiz zur Abgabe zu lang"),
    "EMAIL_INVALID": _("E-Mail-Adresse ungültig"),
    "PLAN_CODE_MISMATCH": _("Aktenplankennzeichen passt nicht"),
    "PLAN_CODE_REQUIRED": _("Aktenplankennzeichen fehlt"),
    "PLAN_CODE_TAKEN": _("Aktenplankennzeichen schon vergeben"),
    "PLAN_OR_UNIT_UNKNOWN": _("Aktenplaneinheit oder Organisationseinheit unbekannt"),
    "PLAN_SCHEDULE_MISSING": _("Aufbewahrungsfrist fehlt"),
    "PLAN_SCHEDULE_UNKNOWN": _("Aufbewahrungsfrist unbekannt"),
    "POSTCODE_INVALID": _("Postleitzahl ungültig"),
    "PLAN_UNIT_INACTIVE": _("Aktenplaneinheit ist deaktiviert"),
    "PLAN_UNIT_UNKNOWN": _("Aktenplaneinheit unbekannt"),
    "DOCUMENT_TYPE_KEY_INVALID": _("Kennung des Dokumenttyps ungültig"),
    "DOCUMENT_TYPE_KEY_TAKEN": _("Kennung des Dokumenttyps schon vergeben"),
    "DOCUMENT_TYPE_NAME_MISSING": _("Bezeichnung des Dokumenttyps fehlt"),
    "DOCUMENT_TYPE_RULE_INVALID": _("Regel des Dokumenttyps ungültig"),
    "DOCUMENT_TYPE_KEY_FIXED": _("Kennung des Dokumenttyps nicht änderbar"),
    "DOCUMENT_TYPE_UNKNOWN": _("Dokumenttyp unbekannt"),
    "UNKNOWN_DOCUMENT_TYPE": _("Dokumenttyp unbekannt"),
    "DOCUMENT_TYPE_INACTIVE": _("Dokumenttyp wird nicht mehr verwendet"),
    # organisation units and user accounts (administration)
    "UNIT_CODE_MISSING": _("Kürzel der Organisationseinheit fehlt"),
    "UNIT_CODE_INVALID": _("Kürzel der Organisationseinheit ungültig"),
    "UNIT_CODE_TAKEN": _("Kürzel der Organisationseinheit schon vergeben"),
    "UNIT_NAME_MISSING": _("Bezeichnung der Organisationseinheit fehlt"),
    "UNIT_NAME_INVALID": _("Bezeichnung der Organisationseinheit zu lang"),
    "UNIT_UNKNOWN": _("Organisationseinheit unbekannt"),
    "USER_NAME_INVALID": _("Benutzername ungültig"),
    "USER_NAME_TAKEN": _("Benutzername schon vergeben"),
    "ROLE_UNKNOWN": _("Rolle unbekannt oder nicht angegeben"),
    "CLEARANCE_INVALID": _("Freigabestufe ungültig"),
    "PERMISSION_UNKNOWN": _("Berechtigung unbekannt"),
    "PASSWORD_INVALID": _("Kennwort erfüllt die Anforderungen nicht"),
    # accounts and API tokens (identity)
    "LOGIN_LOCKED": _("Anmeldung vorübergehend gesperrt"),
    "OTP_CODE_INVALID": _("Code des zweiten Faktors falsch"),
    "SECOND_FACTOR_REQUIRED": _("zweiter Faktor erforderlich"),
    "TOKEN_INVALID": _("API-Token ungültig"),
    "TOKEN_EXPIRED": _("API-Token abgelaufen"),
    "TOKEN_REVOKED": _("API-Token widerrufen"),
    "TOKEN_SCOPE": _("API-Token für diese Aktion nicht freigegeben"),
    "TOKEN_UNKNOWN": _("API-Token unbekannt"),
    "TOKEN_NAME_INVALID": _("Name des API-Tokens ungültig"),
    "TOKEN_NAME_TAKEN": _("Name des API-Tokens schon vergeben"),
    "TOKEN_ACTIONS_INVALID": _("Aktionen des API-Tokens ungültig"),
    "TOKEN_EXPIRY_INVALID": _("Ablaufdatum des API-Tokens ungültig"),
    "PASSWORD_LINK_NONE": _("kein Link zum Setzen des Kennworts ausgestellt"),
    "PASSWORD_LINK_INVALID": _("Link zum Setzen des Kennworts ungültig oder abgelaufen"),
    "USER_SELF_DEACTIVATE": _("eigenes Benutzerkonto kann nicht deaktiviert werden"),
    "USER_SELF_DEMOTE": _("eigene Administratorrolle kann nicht entzogen werden"),
    # directory login (web/directory.py)
    "DIRECTORY_ACCOUNT": _("Verzeichniskonto hat kein eigenes Kennwort"),
    "DIRECTORY_LOCAL_ACCOUNT": _("Benutzername gehört zu einem Konto der Registratur"),
    "DIRECTORY_MANAGED": _("Rolle und Einheiten kommen aus dem Verzeichnis"),
    "DIRECTORY_UNAVAILABLE": _("Verzeichnis nicht erreichbar"),
    "DIRECTORY_NO_ROLE": _("im Verzeichnis in keiner zugeordneten Gruppe"),
    "DIRECTORY_CONFIGURATION": _("Zuordnung der Verzeichnisgruppen fehlerhaft"),
    "DIRECTORY_OTHER_ACCOUNT": _("Benutzername gehört zu einem Konto des Anmeldedienstes"),
    # OpenID Connect login (web/oidc.py)
    "OIDC_LOCAL_ACCOUNT": _("Benutzername gehört zu einem Konto der Registratur"),
    "OIDC_OTHER_ACCOUNT": _("Benutzername gehört zu einem anderen Konto (Verzeichnis oder "
                            "anderes Konto beim Anmeldedienst)"),
    "OIDC_NO_ROLE": _("beim Anmeldedienst in keiner zugeordneten Gruppe"),
    "OIDC_CONFIGURATION": _("Zuordnung der Gruppen des Anmeldedienstes fehlerhaft"),
    "OIDC_CLAIM_MISSING": _("Anmeldedienst übermittelt keinen Benutzernamen"),
    "OIDC_ACCOUNT_DISABLED": _("Konto in der Registratur deaktiviert"),
    "OIDC_FAILED": _("Anmeldung über den Anmeldedienst fehlgeschlagen"),
    # retention, holds, disposal, erasure
    "HELD": _("durch eine Sperre blockiert"),
    "HOLD_LIFTED": _("Sperre ist bereits aufgehoben"),
    "NOT_DUE": _("Aufbewahrungsfrist noch nicht abgelaufen"),
    "NOT_AN_EXTENSION": _("keine Verlängerung"),
    "NOT_PROPOSED": _("Aussonderung nicht vorgeschlagen"),
    "NOT_APPROVED": _("Aussonderung nicht genehmigt"),
    "APPROVAL_REQUIRED": _("Genehmigung erforderlich"),
    "AWAITING_ARCHIVE": _("Entscheidung des Archivs steht aus"),
    "DISPOSAL_UNKNOWN": _("Aussonderungsliste unbekannt"),
    "FOUR_EYES": _("Vier-Augen-Prinzip: zweite Person nötig"),
    "FOUR_EYES_SAME_INVOCATION": _("Vier-Augen-Prinzip: beide Schritte in einem Aufruf"),
    "FOUR_EYES_SAME_OS_ACCOUNT": _("Vier-Augen-Prinzip: dasselbe Betriebssystemkonto"),
    "DECIDED": _("bereits entschieden"),
    "NOT_RESTRICTED": _("Verarbeitung ist nicht eingeschränkt"),
    # the officer's pages: schedules, disposal protocol, erasure decisions
    "SCHEDULE_KEY_MISSING": _("Kennung der Aufbewahrungsfrist fehlt"),
    "SCHEDULE_KEY_INVALID": _("Kennung der Aufbewahrungsfrist ungültig"),
    "SCHEDULE_KEY_TAKEN": _("Kennung der Aufbewahrungsfrist schon vergeben"),
    "SCHEDULE_NAME_MISSING": _("Bezeichnung der Aufbewahrungsfrist fehlt"),
    "SCHEDULE_NAME_INVALID": _("Bezeichnung der Aufbewahrungsfrist zu lang"),
    "SCHEDULE_TRIGGER_INVALID": _("Auslöser der Aufbewahrungsfrist ungültig"),
    "SCHEDULE_EVENT_MISSING": _("Name des auslösenden Ereignisses fehlt"),
    "SCHEDULE_PERIOD_INVALID": _("Dauer der Aufbewahrungsfrist ungültig"),
    "SCHEDULE_PERIOD_MISSING": _("Dauer der Aufbewahrungsfrist fehlt"),
    "SCHEDULE_ACTION_INVALID": _("Maßnahme nach Fristende ungültig"),
    "SCHEDULE_LEGAL_BASIS_MISSING": _("Rechtsgrundlage fehlt"),
    "SCHEDULE_LEGAL_BASIS_INVALID": _("Rechtsgrundlage zu lang"),
    "NOT_EXECUTED": _("Aussonderung noch nicht vollzogen"),
    "ERASURE_OUTCOME_INVALID": _("Entscheidung über den Löschantrag ungültig"),
    "DATE_IN_FUTURE": _("Datum liegt in der Zukunft"),
    "CONFIRMATION_REQUIRED": _("Bestätigung fehlt"),
    # packages and the xdomea hand-over
    "PACKAGE_CORRUPT": _("Paket beschädigt"),
    "PACKAGE_FORMAT": _("Paketformat unbekannt"),
    "IMPORT_CONFLICT": _("Import widerspricht dem Bestand"),
    "XDOMEA_ALREADY_PACKAGED": _("xdomea: bereits übergeben"),
    "XDOMEA_INVALID": _("xdomea: Nachricht ungültig"),
    "XDOMEA_INVALID_XML": _("xdomea: kein gültiges XML"),
    "XDOMEA_MESSAGE_UNAVAILABLE": _("xdomea: Nachricht nicht verfügbar"),
    "XDOMEA_NOT_PACKAGED": _("xdomea: noch nicht übergeben"),
    "XDOMEA_NO_RENDITION": _("xdomea: keine PDF/A-Fassung"),
    "XDOMEA_SCHEMA_INVALID": _("xdomea: entspricht nicht dem Schema"),
    "XDOMEA_SCHEMA_MISSING": _("xdomea: Schema fehlt"),
    "XDOMEA_UNKNOWN_PROCESS": _("xdomea: unbekannter Prozess"),
    "XDOMEA_WRONG_MESSAGE_TYPE": _("xdomea: falscher Nachrichtentyp"),
    # the trail and its keys
    "CHAIN_BROKEN": _("Protokollkette unterbrochen"),
    "CHAIN_REWRITTEN": _("Protokoll nachträglich verändert"),
    "CHECKPOINTS_SHORTENED": _("Prüfpunkte gekürzt"),
    "CHECKPOINT_FORGED": _("Prüfpunkt gefälscht"),
    "AUDIT_KEY_INVALID": _("Signaturschlüssel ungültig"),
    "AUDIT_KEY_MISMATCH": _("Signaturschlüssel passt nicht"),
    "TSA_UNAVAILABLE": _("Zeitstempeldienst nicht erreichbar"),
    "TSA_NOT_CONFIGURED": _("Kein Zeitstempeldienst eingerichtet"),
    "TSA_CA_MISSING": _("Zertifikat des Zeitstempeldienstes fehlt"),
    "SERVE_PROCESSES_BEHIND_PROXY": _("Mehrere Webprozesse hinter dem Proxy nicht unterstützt"),
    "WEBHOOK_NAME_REQUIRED": _("Name des Webhooks fehlt"),
    "WEBHOOK_NAME_TAKEN": _("Name des Webhooks schon vergeben"),
    "WEBHOOK_URL_INVALID": _("Adresse des Webhooks ungültig"),
    "WEBHOOK_EVENTS_INVALID": _("Ereignisse des Webhooks ungültig"),
    "WEBHOOK_UNITS_INVALID": _("Organisationseinheiten des Webhooks ungültig"),
    "AUDIT_KEY_MISSING": _("Signaturschlüssel fehlt auf diesem Rechner"),
    "BACKUP_DAMAGED": _("Sicherung beschädigt"),
    "BACKUP_INCOMPLETE": _("Sicherung unvollständig"),
    "BACKUP_KEY_WRONG": _("Passphrase der Sicherung falsch"),
    "BACKUP_TARGET_NOT_EMPTY": _("Ziel der Wiederherstellung nicht leer"),
    "BACKUP_OUT_NOT_EMPTY": _("Zielverzeichnis der Sicherung nicht leer"),
    "BACKUP_PASSPHRASE_MISSING": _("Passphrase der Sicherung fehlt"),
    "BACKUP_BLOB_MISSING": _("Objekt für die Sicherung fehlt"),
    "BACKUP_TOOL_FAILED": _("Sicherungswerkzeug fehlgeschlagen"),
    "AUDIT_PUBLIC_KEY_MISSING": _("öffentlicher Schlüssel fehlt"),
    "PRIVATE_KEY_NOT_SHOWN": _("privater Schlüssel wird nicht angezeigt"),
    # search
    "QUERY_SYNTAX": _("Suchanfrage fehlerhaft"),
    "SEARCH_BACKEND_UNAVAILABLE": _("Suche nicht erreichbar"),
    "SEARCH_BACKEND_UNKNOWN": _("Suchverfahren unbekannt"),
    "SEARCH_DATE": _("Datum in der Suche ungültig"),
    "SEARCH_FILTER": _("Suchfilter ungültig"),
    "SEARCH_MORE_LIKE_THIS": _("ähnliche Dokumente nicht verfügbar"),
    "SEARCH_PAGING": _("Seitenangabe der Suche ungültig"),
    "SEARCH_SORT": _("Sortierung ungültig"),
    "SAVED_SEARCH_INVALID": _("gespeicherte Suche ungültig"),
    "SAVED_SEARCH_NAME": _("Name der gespeicherten Suche fehlt oder ist zu lang"),
    "SAVED_SEARCH_NAME_TAKEN": _("Name der gespeicherten Suche schon vergeben"),
    "NOT_POSTGRESQL": _("nur mit PostgreSQL"),
    # ingest: refusals of input
    "EMPTY_FILE": _("leere Datei"),
    "TOO_LARGE": _("Datei zu groß"),
    "TOO_MANY_PAGES": _("zu viele Seiten"),
    "PAGE_SIZE_ABSURD": _("unmögliches Seitenformat"),
    "IMAGE_TOO_LARGE": _("Bild zu groß"),
    "UNSUPPORTED_TYPE": _("Dateityp nicht unterstützt"),
    "CORRUPT_PDF": _("PDF beschädigt"),
    "CORRUPT_IMAGE": _("Bild beschädigt"),
    "CORRUPT_INPUT": _("Datei beschädigt"),
    "ENCRYPTED_PDF": _("PDF verschlüsselt"),
    "ENCRYPTED_PDF_WRONG_PASSWORD": _("PDF-Kennwort falsch"),
    "XFA_UNSUPPORTED": _("dynamisches PDF-Formular (XFA) nicht unterstützt"),
    "MAIL_TOO_DEEP": _("E-Mail zu tief verschachtelt"),
    "TOO_MANY_ATTACHMENTS": _("zu viele Anhänge"),
    "OFFICE_CONVERTER_MISSING": _("Office-Umwandlung nicht eingerichtet"),
    "OFFICE_CONVERSION_FAILED": _("Office-Dokument nicht umwandelbar"),
    "OCR_FAILED": _("Texterkennung fehlgeschlagen"),
    "TIMEOUT": _("Zeitlimit überschritten"),
    "MEMORY_LIMIT": _("Speicherlimit überschritten"),
    # ingest: faults of the system
    "OCR_CRASHED": _("Texterkennung abgestürzt"),
    "OCR_MISSING_DEPENDENCY": _("Programm für die Texterkennung fehlt"),
    "TEXT_EXTRACTION_FAILED": _("Text nicht lesbar"),
    "STORAGE_FULL": _("Speicher voll"),
    "STORAGE_UNAVAILABLE": _("Speicher nicht erreichbar"),
    "QUEUE_UNAVAILABLE": _("Warteschlange nicht erreichbar"),
    "WORKER_LOST": _("Verarbeitung abgebrochen"),
    # the hot folder
    "HOTFOLDER_SYMLINK": _("Verknüpfung im Eingangsordner"),
    "HOTFOLDER_HARDLINK": _("mehrfach verlinkte Datei im Eingangsordner"),
    "HOTFOLDER_NOT_REGULAR": _("keine gewöhnliche Datei im Eingangsordner"),
    "HOTFOLDER_TEMPORARY": _("liegengebliebene temporäre Datei im Eingangsordner"),
    "HOTFOLDER_UNREADABLE": _("unlesbare Datei im Eingangsordner"),
    # the mailroom: quarantine and confirmed filing
    "NOT_IN_QUARANTINE": _("Datei liegt nicht (mehr) in der Quarantäne"),
    "NOTE_REQUIRED": _("Vermerk fehlt"),
    "UNKNOWN_UNIT": _("Sachgebiet unbekannt"),
    "CONFIRMATION_INCOMPLETE": _("bestätigte Ablage: Dokumenttyp oder Aktenzeichen fehlt"),
    # follow-ups and deadlines (followups)
    "FOLLOW_UP_ASSIGNEE_INVALID": _("Wiedervorlage: Person oder Einheit darf die Akte nicht lesen"),
    "FOLLOW_UP_REASON_MISSING": _("Wiedervorlage: Anlass fehlt"),
    "FOLLOW_UP_DUE_PAST": _("Wiedervorlage: Datum liegt in der Vergangenheit"),
    "FOLLOW_UP_TARGET_INVALID": _("Wiedervorlage: weder Akte noch Dokument"),
    "FOLLOW_UP_CLOSED": _("Wiedervorlage bereits erledigt"),
    "DEADLINE_RULE_INVALID": _("Fristregel ungültig"),
    "DEADLINE_DONE_ALREADY": _("Frist bereits erledigt"),
    # replacement scanning (archive/services/scan_qa.py)
    "PAPER_RELEASE_REFUSED": _("Papierfreigabe nicht möglich"),
    "SCAN_QA_NOT_PASSED": _("Sichtprüfung nicht bestanden"),
    "SCAN_INTEGRITY_PENDING": _("Integritätsschutz noch nicht abgeschlossen"),
    "SCAN_NOT_STORED": _("Scan nicht unversehrt gespeichert"),
    "PAPER_KEEP_ORIGINAL": _("Papieroriginal ist aufzubewahren"),
    "PAPER_NOT_SCANNED": _("kein Scan eines Papieroriginals"),
    "PAPER_ALREADY_RELEASED": _("Papieroriginal bereits freigegeben"),
    "SCAN_QA_NOT_OPEN": _("keine offene Sichtprüfung"),
    "SCAN_QA_PENDING": _("Sichtprüfung steht aus"),
    "RESCAN_REQUEST_UNKNOWN": _("keine offene Anforderung zum Neuscan"),
    "SCAN_QA_REASON_MISSING": _("Grund der Ablehnung fehlt"),
    "PROTECTION_NEED_INVALID": _("unbekannter Schutzbedarf"),
    "NO_SELECTION": _("nichts ausgewählt"),
    "RESCAN_ONE_FILE": _("Neuscan: genau eine Datei"),
}


# The fields of a residual record (what remains of a destroyed case file or document, shown
# on the 410 page) and of the approval it names.
RESIDUAL_FIELDS = {
    "id": _("Nr."),
    "file_reference": _("Aktenzeichen"),
    "plan_unit": _("Aktenplaneinheit"),
    "schedule": _("Aufbewahrungsfrist"),
    "received_at": _("eingegangen am"),
    "letter_date": _("Datum des Schreibens"),
    "created_at": _("angelegt am"),
    "closed_at": _("zdA verfügt am"),
    "destroyed_at": _("vernichtet am"),
    "approval": _("Genehmigung"),
    "list": _("Aussonderungsliste"),
    "proposed_by": _("vorgeschlagen von"),
    "approved_by": _("genehmigt von"),
    "documents": _("Dokumente"),
}


def _humanised(value: str) -> str:
    return str(value).replace("_", " ").lower()


def event_label(action: str) -> str:
    """German (or the active language's) label of a trail action; an unknown one, e.g. from an
    imported package of a newer version, is shown readably rather than hidden."""
    label = EVENT_ACTIONS.get(action)
    return str(label) if label is not None else _humanised(action)


def object_type_label(object_type: str) -> str:
    label = OBJECT_TYPES.get(object_type)
    return str(label) if label is not None else _humanised(object_type)


def error_label(code: str) -> str:
    label = ERROR_CODES.get(code)
    return str(label) if label is not None else gettext("Fehler %(code)s") % {"code": code}


def channel_label(channel: str) -> str:
    label = CHANNELS.get(channel)
    return str(label) if label is not None else str(channel or "")


def read_basis_label(basis: str) -> str:
    label = READ_BASES.get(basis)
    return str(label) if label is not None else _humanised(basis)


def report_kind_label(kind: str) -> str:
    label = REPORT_KINDS.get(kind)
    return str(label) if label is not None else _humanised(kind)


def residual_label(field: str) -> str:
    label = RESIDUAL_FIELDS.get(field)
    return str(label) if label is not None else _humanised(field)


def choice_label(choices, value) -> str:
    """The label of a value of a model's TextChoices/IntegerChoices (`JobState`, ...)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
