"""What the administration's page lists: subscribers and their latest deliveries. Deliveries
carry ids and links only, so the administrator (who reads no case files) may see them."""
from django.db.models import Count, Q

from .models import Delivery, DeliveryState, Subscription


def subscriptions_listed():
    return (Subscription.objects.prefetch_related("units")
            .annotate(dead=Count("deliveries", filter=Q(deliveries__state=DeliveryState.DEAD)),
                      waiting=Count("deliveries", filter=Q(deliveries__state__in=(
                          DeliveryState.PENDING, DeliveryState.RETRYING))))
            .order_by("-active", "name"))


def deliveries_listed(limit: int = 100):
    return Delivery.objects.select_related("subscription").order_by("-created_at", "-pk")[:limit]
