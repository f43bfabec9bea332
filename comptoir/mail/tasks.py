from django_tasks import task

from comptoir.mail.services import delivery_send


@task()
def delivery_send_task(delivery_id: int) -> str:
    return delivery_send(delivery_id=delivery_id).status
