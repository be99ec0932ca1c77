from django import template

from ..admin.my_work import alerts, my_work, unread_notifications

register = template.Library()


@register.inclusion_tag("admin/answers/includes/my_work.html", takes_context=True)
def my_work_panel(context):
    user = context["request"].user
    lists = my_work(user)
    return {
        "lists": lists,
        # Empty lists collapse into one line, so what waits stands out.
        "empty_lists": [work.title for work in lists if not work.items],
        "unread": unread_notifications(user),
        "alerts": alerts(user),
    }


@register.simple_tag(takes_context=True)
def unread_notification_count(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated or not request.user.is_staff:
        return 0
    return unread_notifications(request.user)
