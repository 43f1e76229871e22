"""/healthz for load balancers and monitoring (public: it says how the instance is, never
who or what is in it) and /metrics for Prometheus (localhost or the bearer token)."""
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..health import DOWN, health_json, health_report
from ..metrics import REGISTRY, metrics_allowed


@require_safe  # GET, and HEAD for load balancers that probe without a body
def healthz(request):
    status, checks = health_report()
    # Degraded still serves: a load balancer keeps sending users; monitoring reads the body.
    return JsonResponse(health_json(status, checks), status=503 if status == DOWN else 200)


@require_GET
def metrics(request):
    if not metrics_allowed(request):
        raise Http404  # denied looks like unknown
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
