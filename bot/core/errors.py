"""Typed domain errors. Each carries a Chinese sentence a chat handler can send as it is."""


class DomainError(Exception):
    """Base of every error a user can cause; `user_message` is shown to them."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message


class IllegalTransitionError(DomainError):
    def __init__(self, status: str, action: str, status_label: str, action_label: str):
        super().__init__(f"工单当前状态为「{status_label}」，不能执行「{action_label}」。")
        self.status = status
        self.action = action


class MissingDetailError(DomainError):
    """A required detail (reason, solution, date...) is missing or invalid."""


class PermissionDeniedError(DomainError):
    pass


class NotFoundError(DomainError):
    pass


class ConcurrentUpdateError(DomainError):
    def __init__(self, ticket_id: int):
        super().__init__(f"工单 #{ticket_id} 刚刚被他人更新，本次操作未生效，请查询最新状态后重试。")
        self.ticket_id = ticket_id
