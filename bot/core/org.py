"""Organisation of the service: streets, zones, parks, departments, people and businesses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    BUSINESS = "business"  # someone writing for a 经营主体 (反映人)
    HELPER = "helper"  # 助企服务员
    COORDINATOR = "coordinator"  # 需求协调员
    LEADER = "leader"  # 分管领导
    HUB = "hub"  # member of 区政务服务办 or 区网格中心
    SYSTEM = "system"  # the scheduler and other automatic actors


ROLE_LABELS = {
    Role.BUSINESS: "经营主体",
    Role.HELPER: "助企服务员",
    Role.COORDINATOR: "需求协调员",
    Role.LEADER: "分管领导",
    Role.HUB: "中枢",
    Role.SYSTEM: "系统",
}


class HelperTier(StrEnum):
    INDUSTRY = "industry"  # 行业主管部门 (key enterprises)
    STREET = "street"  # 街道片区
    PARK = "park"  # 园区商圈社会力量


class Hub(StrEnum):
    SERVICE_OFFICE = "service_office"  # 区政务服务办, 推动中枢
    GRID_CENTER = "grid_center"  # 区网格中心(12345), 运行中枢


class BusinessKind(StrEnum):
    ENTERPRISE = "enterprise"
    INDIVIDUAL = "individual"  # 个体工商户


@dataclass(frozen=True)
class Street:
    code: str
    name: str


@dataclass(frozen=True)
class Zone:
    code: str
    street_code: str
    name: str
    # Address fragments (roads, communities) that place a business in this zone.
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Park:
    code: str
    street_code: str
    name: str
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    full_name: str
    working_group: bool
    hub: Hub | None = None


@dataclass(frozen=True)
class Person:
    """Anyone who talks to the bot. The role decides which org reference is set."""

    id: str
    name: str
    role: Role
    phone: str = ""
    tier: HelperTier | None = None  # helpers
    zone_code: str | None = None  # street helpers
    park_code: str | None = None  # park helpers
    department_code: str | None = None  # industry helpers, coordinators, leaders
    hub: Hub | None = None  # hub members
    business_id: str | None = None  # business requesters
    fictional: bool = False

    @property
    def label(self) -> str:
        return f"{self.name}（{ROLE_LABELS[self.role]}）"


SYSTEM_ACTOR = Person(id="system", name="系统", role=Role.SYSTEM)


@dataclass(frozen=True)
class Business:
    id: str
    name: str
    kind: BusinessKind
    credit_code: str = ""  # 统一社会信用代码 (may be empty for some 个体工商户)
    address: str = ""
    zone_code: str | None = None
    park_code: str | None = None
    # Helpers serving this business: a street (or industry) helper, plus a park helper for
    # businesses in a park with 双重服务员.
    helper_ids: tuple[str, ...] = field(default_factory=tuple)
    fictional: bool = False

    @property
    def primary_helper_id(self) -> str | None:
        return self.helper_ids[0] if self.helper_ids else None


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def valid_credit_code(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters, the last a mod-31 check character."""
    code = code.strip().upper()
    if len(code) != 18 or any(ch not in _USCC_CHARS for ch in code):
        return False
    total = sum(_USCC_CHARS.index(ch) * w for ch, w in zip(code[:17], _USCC_WEIGHTS))
    return _USCC_CHARS[(31 - total % 31) % 31] == code[17]


def kind_of_credit_code(code: str) -> BusinessKind:
    # Registration authority 9 (market regulation), category 2: 个体工商户.
    return BusinessKind.INDIVIDUAL if not code or code.upper().startswith("92") else BusinessKind.ENTERPRISE
