"""Recognition of what a letter is, who wrote it, what it is about and whom it concerns.

Entry points (pure functions of the text unless noted):
    rules.classify_by_rules(text)        -> Classification(key, confidence, reasons)
    letters.letter_sender(text)          -> Suggestion(value, confidence, reason)
    letters.letter_subject(text)         -> Suggestion(value, confidence, reason)
    persons.find_person(text)            -> PersonMention
"""
