"""pdfium (through pypdfium2) is not thread-safe: two threads in it at once crash the whole
process (seen when two threads filed at once, each drawing a thumbnail). Worker pool processes
have one thread, but other processes (the web server, tests) may have many: every use of
pdfium holds this lock."""
import threading

PDFIUM_LOCK = threading.Lock()
