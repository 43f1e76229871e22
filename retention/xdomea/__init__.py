"""xdomea 3.0.0 Aussonderung: the messages between this records system and the public archive
(0501 offer, 0502 appraisal, 0503 transfer, 0504/0505/0507 receipts, 0506 import confirmation).
Builders and parsers here are pure XML work; the services in retention.services.transfer decide
what is offered, recorded and destroyed."""
