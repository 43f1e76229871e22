"""Recognition of what a letter is, who wrote it, what it is about and whom it concerns.

Entry points (functions of the text; those marked * read the archive's tables):
    rules.classify_by_rules(text)*         -> Classification(key, confidence, reasons)
    rules.classify(text, document_types)   -> the same, with the types given
    doctype.suggest_document_type(text)*   -> the job's "document_type" and "unit" suggestions
                                              (the learned model, else the rules; JSON)
    letters.letter_sender(text)            -> Suggestion(value, confidence, reason)
    letters.letter_subject(text)           -> Suggestion(value, confidence, reason)
    letters.sender_address(text, name)     -> "Georgiring 3, 04103 Leipzig"
    correspondents.canonical_sender(sender, confidence, text)*  -> the correspondent's name
    persons.find_person(text)              -> PersonMention(names, surnames, birth_dates,
                                                            client_numbers)
    persons.case_file_for_letter(text)*    -> PersonMatch(case_file, confidence, reason)
    persons.suggest_person(text, sender=)* -> the job's "person" suggestion (JSON), evidence
"""
