"""The steps of an ingest job, in order: the one list that the pipeline runs and that progress
(pages, API, command line) is shown against. A module of its own, without the steps'
imports, so that the web can show progress without loading OCRmyPDF."""
FILE_STEP = "file"
# The pipeline maps each name to its step function; "file" is its own last stage.
STEP_NAMES = ("triage", "prepare", "split", "ocr", "extract", "thumbnail", FILE_STEP)


def recipe() -> list[str]:
    """The steps a job goes through, in order: what progress is shown against."""
    return list(STEP_NAMES)
