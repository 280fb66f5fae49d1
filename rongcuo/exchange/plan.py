"""Resolving the parsed rows against each other and the database: what each row refers to, whether it is
new, changed or the same, and every problem that would stop the import.

Identity (so importing the same file twice changes nothing):
- a unit is (区划, 上级单位, 单位名称);
- a cadre is their ID number, found through its blind index (the number itself is never stored in clear);
- a matter is (单位, 干部, 事项名称, 启动日期).
A blank optional cell never changes a stored value. Everything is limited to the importer's scope: the
jurisdiction subtrees where they are a handler 「承办人」.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from rongcuo.core import crypto
from rongcuo.org.models import AccountabilityMatter, Cadre, Jurisdiction, Unit

from .validate import Parsed, Problems, Row

CHUNK = 500
SCOPE_IN_QUERY = 1000  # scopes up to this many jurisdictions are narrowed in SQL


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(eq=False)
class UnitNode:
    jurisdiction: str
    name: str
    code: str = ""
    pk: int | None = None
    path: str = ""
    parent: UnitNode | None = None  # resolved parent (a file or a database unit)
    parent_id: int | None = None  # database units: the stored parent
    row: Row | None = None  # file units: the row that defines it
    db_code: str = ""
    state: str = "same"  # create / change / same


@dataclass(eq=False)
class CadreNode:
    id_number: str
    index: str
    unit: UnitNode
    row: Row | None = None
    pk: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # the values to store (new) or the stored ones
    changes: dict[str, Any] = field(default_factory=dict)
    phone: str | None = None
    state: str = "same"


@dataclass(eq=False)
class MatterNode:
    row: Row
    unit: UnitNode
    cadre: CadreNode | None
    fields: dict[str, Any]
    pk: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    state: str = "create"


@dataclass
class Plan:
    units: list[UnitNode] = field(default_factory=list)  # file units, parents before children
    cadres: list[CadreNode] = field(default_factory=list)
    matters: list[MatterNode] = field(default_factory=list)
    jurisdictions: set[str] = field(default_factory=set)  # every jurisdiction written to

    def counts(self) -> dict[str, dict[str, int]]:
        out = {}
        for name, nodes in (("单位", self.units), ("干部", self.cadres), ("问责事项", self.matters)):
            c = {"created": 0, "changed": 0, "unchanged": 0}
            for n in nodes:
                c[{"create": "created", "change": "changed"}.get(n.state, "unchanged")] += 1
            out[name] = c
        return out


class Planner:
    def __init__(self, scope: set[str], parsed: Parsed, problems: Problems) -> None:
        self.scope = scope
        self.parsed = parsed
        self.problems = problems
        self.plan = Plan()
        self.jurisdictions: dict[str, Jurisdiction] = {}
        self.file_units: list[UnitNode] = []
        self.db_units: dict[int, UnitNode] = {}
        self.file_cadres: dict[str, CadreNode] = {}
        self.cadre_ids_in_sheet: set[str] = set()
        self.file_by_name: dict[tuple[str | None, str | None], list[UnitNode]] = defaultdict(list)
        self.file_by_code: dict[str, list[UnitNode]] = defaultdict(list)
        self.claimed: set[int] = set()  # database units that a file row stands for
        self.today = timezone.localdate()

    # --- references ------------------------------------------------------------------------------------

    def run(self) -> Plan:
        rows = [r for key in ("units", "cadres", "matters") for r in self.parsed.sheet(key)]
        codes = {r.get("jurisdiction") for r in rows} - {None}
        self.jurisdictions = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
        self._load_units(rows)
        self._plan_units()
        self._plan_cadres()
        self._plan_matters()
        return self.plan

    def _jurisdiction(self, row: Row) -> str | None:
        """The row's jurisdiction code when it exists and is in scope; reports the problem otherwise."""
        code = row.get("jurisdiction")
        if code is None:
            return None
        j = self.jurisdictions.get(code)
        if j is None:
            row.problem(self.problems, "jurisdiction", f"未知的区划代码 {code}（GB/T 2260，系统中没有该区划）")
            return None
        if code not in self.scope:
            row.problem(self.problems, "jurisdiction", f"{j.name}（{code}）不在您的管辖范围内，不能导入")
            return None
        return code

    def _load_units(self, rows: list[Row]) -> None:
        names = {r.get(k) for r in rows for k in ("unit_name", "parent")} - {None}
        codes = {r.get(k) for r in rows for k in ("unit_code", "parent")} - {None}
        cols = ("id", "jurisdiction_id", "parent_id", "name", "code", "path")
        base = Unit.objects.all()
        if len(self.scope) <= SCOPE_IN_QUERY:  # else (a national scope) filtered below, in Python
            base = base.filter(jurisdiction_id__in=sorted(self.scope))
        for key, wanted in (("name__in", names), ("code__in", codes)):
            for batch in chunks(sorted(wanted)):
                for u in base.filter(**{key: batch}).values(*cols):
                    if u["jurisdiction_id"] in self.scope and u["id"] not in self.db_units:
                        self.db_units[u["id"]] = UnitNode(
                            u["jurisdiction_id"], u["name"], u["code"], u["id"], u["path"], None, u["parent_id"]
                        )
                        self.db_units[u["id"]].db_code = u["code"]
        self.db_by_key = {(n.jurisdiction, n.parent_id, n.name): n for n in self.db_units.values()}
        self.db_by_name: dict[tuple[str | None, str | None], list[UnitNode]] = defaultdict(list)
        self.db_by_code: dict[str, list[UnitNode]] = defaultdict(list)
        for n in self.db_units.values():
            self.db_by_name[(n.jurisdiction, n.name)].append(n)
            if n.code:
                self.db_by_code[n.code].append(n)

    def _candidates(self, jurisdiction: str | None, *, name: str | None = None, code: str | None = None) -> list[Any]:
        """Units matching a name (within a jurisdiction) or a code: those of the file first, else the database's."""
        if code is not None:
            file_hits, db_hits = self.file_by_code.get(code, []), self.db_by_code.get(code, [])
        else:
            file_hits = self.file_by_name.get((jurisdiction, name), [])
            db_hits = self.db_by_name.get((jurisdiction, name), [])
        found = [n for n in file_hits if jurisdiction is None or n.jurisdiction == jurisdiction]
        if found:
            return found
        return [
            n for n in db_hits if n.pk not in self.claimed and (jurisdiction is None or n.jurisdiction == jurisdiction)
        ]

    def find_unit(self, row: Row, *, required_message: str) -> UnitNode | None:
        """The unit a cadre or matter row names (单位编码, or 区划代码 + 单位名称); reports what is wrong."""
        if row.bad & {"jurisdiction", "unit_name", "unit_code"}:
            return None
        code, name = row.get("unit_code"), row.get("unit_name")
        j = self._jurisdiction(row) if row.get("jurisdiction") else None
        if row.get("jurisdiction") and j is None:
            return None
        if code:
            found = self._candidates(j, code=code)
            if not found:
                row.problem(self.problems, "unit_code", f"单位编码“{code}”在您管辖范围内找不到（本文件单位表中也没有）")
                return None
            if len(found) > 1:
                row.problem(self.problems, "unit_code", f"单位编码“{code}”对应多个单位，请核对")
                return None
            if name and found[0].name != name:
                row.problem(
                    self.problems, "unit_name", f"单位名称与单位编码“{code}”对应的单位（{found[0].name}）不一致"
                )
                return None
            return found[0]
        if name:
            if j is None:
                row.problem(self.problems, "jurisdiction", "按单位名称引用单位时须填写区划代码（或改填单位编码）")
                return None
            found = self._candidates(j, name=name)
            if not found:
                label = self.jurisdictions[j].name
                row.problem(self.problems, "unit_name", f"{label}没有名为“{name}”的单位（本文件单位表中也没有）")
                return None
            if len(found) > 1:
                row.problem(self.problems, "unit_name", f"有 {len(found)} 个名为“{name}”的单位，请改填单位编码")
                return None
            return found[0]
        row.problem(self.problems, None, required_message)
        return None

    # --- 单位 ------------------------------------------------------------------------------------------

    def _plan_units(self) -> None:
        seen: dict[tuple[str, str, str], int] = {}
        for row in self.parsed.sheet("units"):
            j = self._jurisdiction(row)
            name = row.get("unit_name")
            if j is None or name is None:
                continue
            key = (j, row.get("parent") or "", name)
            if key in seen:
                row.problem(self.problems, "unit_name", f"与第 {seen[key]} 行重复")
                continue
            seen[key] = row.number
            node = UnitNode(j, name, row.get("unit_code") or "", row=row)
            self.file_units.append(node)
            self.file_by_name[(j, name)].append(node)
            if node.code:
                self.file_by_code[node.code].append(node)
        for node in self.file_units:
            self._resolve_parent(node)
        ordered = self._in_order()
        self._match(ordered)
        self.claimed = {n.pk for n in ordered if n.pk is not None}
        self._check_codes(ordered)
        self.plan.units = ordered
        self.plan.jurisdictions |= {n.jurisdiction for n in ordered if n.state != "same"}

    def _resolve_parent(self, node: UnitNode) -> None:
        assert node.row is not None
        ref = node.row.get("parent")
        if not ref:
            return
        found = [n for n in self._candidates(node.jurisdiction, code=ref) if n is not node]
        if not found:
            found = [n for n in self._candidates(node.jurisdiction, name=ref) if n is not node]
        if not found:
            label = self.jurisdictions[node.jurisdiction].name
            node.row.problem(self.problems, "parent", f"上级单位“{ref}”在{label}找不到（本文件单位表和系统中都没有）")
        elif len(found) > 1:
            node.row.problem(self.problems, "parent", f"上级单位“{ref}”对应多个单位，请改填上级单位的单位编码")
        else:
            node.parent = found[0]

    def _in_order(self) -> list[UnitNode]:
        """File units whose chain of parents resolves, parents first; a loop of parents is reported. A unit
        below one with a problem is left out silently (the problem is reported on the ancestor's row)."""
        depth: dict[int, int] = {}
        broken: set[int] = set()
        for node in self.file_units:
            path: list[UnitNode] = []
            on_path: set[int] = set()
            cur: UnitNode | None = node
            while cur is not None and cur.row is not None and id(cur) not in depth and id(cur) not in broken:
                if id(cur) in on_path:
                    loop = path[path.index(cur) :]
                    for n in loop:
                        assert n.row is not None
                        n.row.problem(self.problems, "parent", "上级单位关系形成循环")
                    break
                if "parent" in cur.row.bad:
                    break
                path.append(cur)
                on_path.add(id(cur))
                cur = cur.parent
            else:
                if cur is None or cur.row is None or id(cur) in depth:
                    base = depth[id(cur)] + 1 if cur is not None and cur.row is not None else 0
                    for i, n in enumerate(reversed(path)):
                        depth[id(n)] = base + i
                    continue
            broken.update(id(n) for n in path)
            if cur is not None:
                broken.add(id(cur))
        return sorted((n for n in self.file_units if id(n) in depth), key=lambda n: depth[id(n)])

    def _match(self, ordered: list[UnitNode]) -> None:
        seen: dict[tuple[Any, ...], int] = {}
        for node in ordered:
            assert node.row is not None
            parent = node.parent
            if parent is not None and parent.pk is None:
                node.state = "create"
                key: tuple[Any, ...] = (node.jurisdiction, id(parent), node.name)
            else:
                pid = parent.pk if parent is not None else None
                key = (node.jurisdiction, pid, node.name)
                existing = self.db_by_key.get(key)
                if existing is None:
                    node.state = "create"
                else:
                    node.pk, node.path, node.db_code = existing.pk, existing.path, existing.db_code
                    node.state = "change" if node.code and node.code != existing.db_code else "same"
            if key in seen:
                node.row.problem(self.problems, "unit_name", f"与第 {seen[key]} 行是同一单位（同一上级单位下同名）")
                node.state = "same"
            seen.setdefault(key, node.row.number)

    def _check_codes(self, ordered: list[UnitNode]) -> None:
        first: dict[str, int] = {}
        for node in ordered:
            assert node.row is not None
            if not node.code:
                continue
            if node.code in first:
                node.row.problem(self.problems, "unit_code", f"单位编码与第 {first[node.code]} 行重复")
                continue
            first[node.code] = node.row.number
            other = next((n for n in self.db_by_code.get(node.code, []) if n.pk != node.pk), None)
            if other is not None:
                node.row.problem(self.problems, "unit_code", f"单位编码已被系统中的“{other.name}”使用")

    # --- 干部 ------------------------------------------------------------------------------------------

    def _db_cadres(self, numbers: set[str]) -> dict[str, list[dict[str, Any]]]:
        by_index: dict[str, list[dict[str, Any]]] = defaultdict(list)
        index_of = {crypto.blind_index(n): n for n in numbers}
        cols = ("id", "unit_id", "unit__jurisdiction_id", "unit__path", "name", "position", "rank", "party_member")
        for batch in chunks(sorted(index_of)):
            for c in Cadre.objects.filter(id_number_index__in=batch).values(*cols, "phone_enc", "id_number_index"):
                by_index[index_of[c["id_number_index"]]].append(c)
        return by_index

    def _existing_cadre(self, row: Row, key: str, found: list[dict[str, Any]]) -> dict[str, Any] | None:
        inside = [c for c in found if c["unit__jurisdiction_id"] in self.scope]
        if len(inside) > 1:
            row.problem(self.problems, key, "系统中有多名干部登记了该身份证号，请先联系管理员核对")
        elif inside:
            return inside[0]
        elif found:
            row.problem(
                self.problems, key, "该身份证号的干部登记在您管辖范围以外的单位，不能导入（干部调动请联系原地区）"
            )
        return None

    def _plan_cadres(self) -> None:
        rows = self.parsed.sheet("cadres")
        numbers = {r.get("id_number") for r in rows} | {r.get("id_number") for r in self.parsed.sheet("matters")}
        self.db_cadres = self._db_cadres(numbers - {None})
        first: dict[str, int] = {}
        for row in rows:
            number = row.get("id_number")
            if number is not None:
                self.cadre_ids_in_sheet.add(number)
                if number in first:
                    row.problem(self.problems, "id_number", f"身份证号与第 {first[number]} 行重复")
                    continue
                first[number] = row.number
            unit = self.find_unit(row, required_message="须填写所在单位：单位编码，或区划代码和单位名称")
            if number is None or unit is None or row.get("name") is None:
                continue
            existing = self._existing_cadre(row, "id_number", self.db_cadres.get(number, []))
            if existing is None and "id_number" in row.bad:
                continue
            node = CadreNode(number, crypto.blind_index(number), unit, row, phone=row.get("phone"))
            self._compare_cadre(node, row, existing)
            self.file_cadres[number] = node
            self.plan.cadres.append(node)
            if node.state != "same":
                self.plan.jurisdictions.add(unit.jurisdiction)

    def _compare_cadre(self, node: CadreNode, row: Row, existing: dict[str, Any] | None) -> None:
        given = {k: row.get(k) for k in ("name", "position", "rank", "party_member")}
        if existing is None:
            node.state = "create"
            node.fields = {
                "name": given["name"],
                "position": given["position"] or "",
                "rank": given["rank"] or "",
                "party_member": True if given["party_member"] is None else given["party_member"],
            }
            return
        node.pk = existing["id"]
        node.fields = {k: existing[k] for k in ("name", "position", "rank", "party_member", "phone_enc")}
        node.fields["unit_id"] = existing["unit_id"]
        for k, v in given.items():
            if v is not None and v != existing[k]:
                node.changes[k] = v
        if node.unit.pk is None or node.unit.pk != existing["unit_id"]:
            node.changes["unit"] = node.unit
        if node.phone is not None and node.phone != crypto.decrypt(existing["phone_enc"]):
            node.changes["phone"] = node.phone
        node.state = "change" if node.changes else "same"

    # --- 问责事项 ---------------------------------------------------------------------------------------

    def _matter_cadre(self, row: Row) -> CadreNode | bool:
        """The cadre a matter names by ID number; False when it cannot be found (reported)."""
        number = row.get("id_number")
        if number is None:
            if "id_number" not in row.bad:
                row.problem(self.problems, "id_number", "对象类型为干部时，干部身份证号必填")
            return False
        if number in self.file_cadres:
            return self.file_cadres[number]
        if number in self.cadre_ids_in_sheet:
            return False  # the cadre's own row has a problem, reported there
        existing = self._existing_cadre(row, "id_number", self.db_cadres.get(number, []))
        if existing is None:
            if "id_number" not in row.bad:
                row.problem(
                    self.problems, "id_number", "找不到该身份证号的干部（本文件干部表和您管辖范围内的系统记录中都没有）"
                )
            return False
        unit = UnitNode(existing["unit__jurisdiction_id"], "", pk=existing["unit_id"], path=existing["unit__path"])
        return CadreNode(number, "", unit, pk=existing["id"])

    def _plan_matters(self) -> None:
        candidates: list[MatterNode] = []
        for row in self.parsed.sheet("matters"):
            subject = row.get("subject_type")
            if subject is None:
                continue
            cadre: CadreNode | None = None
            if subject == "cadre":
                found = self._matter_cadre(row)
                if found is False:
                    continue
                cadre = found if isinstance(found, CadreNode) else None
                assert cadre is not None
                unit = cadre.unit
                if row.get("unit_code") or row.get("unit_name"):
                    named = self.find_unit(row, required_message="")
                    if named is not None and not _same_unit(named, unit):
                        row.problem(self.problems, "unit_name", "单位与该干部所在单位不一致（可不填，取干部所在单位）")
                        continue
            else:
                if row.get("id_number") is not None:
                    row.problem(self.problems, "id_number", "对象类型为单位时不应填写干部身份证号")
                named = self.find_unit(row, required_message="对象类型为单位时须填写单位编码，或区划代码和单位名称")
                if named is None:
                    continue
                unit = named
            if not self._matter_dates(row):
                continue
            if any(row.get(k) is None for k in ("title", "initiating_organ", "started_on")):
                continue
            fields = {
                k: row.get(k)
                for k in ("title", "description", "initiating_organ", "conduct_date", "started_on", "domain")
            }
            candidates.append(MatterNode(row, unit, cadre, fields))
        self._match_matters(candidates)

    def _matter_dates(self, row: Row) -> bool:
        conduct, started = row.get("conduct_date"), row.get("started_on")
        ok = True
        if started is not None and started > self.today:
            row.problem(self.problems, "started_on", "启动日期不能晚于今天")
            ok = False
        if conduct is not None and conduct > self.today:
            row.problem(self.problems, "conduct_date", "行为发生日期不能晚于今天")
            ok = False
        elif conduct is not None and started is not None and conduct > started:
            row.problem(self.problems, "conduct_date", "行为发生日期不能晚于启动日期")
            ok = False
        return ok

    def _match_matters(self, nodes: list[MatterNode]) -> None:
        unit_ids = {n.unit.pk for n in nodes if n.unit.pk is not None}
        stored: dict[tuple[Any, ...], dict[str, Any]] = {}
        cols = ("id", "unit_id", "cadre_id", "title", "started_on", "status", "description", "initiating_organ")
        for batch in chunks(sorted(unit_ids)):
            for m in AccountabilityMatter.objects.filter(unit_id__in=batch).values(*cols, "conduct_date", "domain"):
                stored[(m["unit_id"], m["cadre_id"], m["title"], m["started_on"])] = m
        seen: dict[tuple[Any, ...], int] = {}
        for node in nodes:
            f = node.fields
            ukey = node.unit.pk if node.unit.pk is not None else id(node.unit)
            ckey = None if node.cadre is None else (node.cadre.pk if node.cadre.pk is not None else id(node.cadre))
            key = (ukey, ckey, f["title"], f["started_on"])
            if key in seen:
                node.row.problem(self.problems, "title", f"与第 {seen[key]} 行重复（同一对象、同一事项名称和启动日期）")
                continue
            seen[key] = node.row.number
            existing = stored.get(key) if node.unit.pk is not None and (node.cadre is None or node.cadre.pk) else None
            if existing is not None:
                node.pk = existing["id"]
                node.fields = {**existing, **{k: v for k, v in f.items() if v is not None}}
                node.changes = {
                    k: v
                    for k, v in f.items()
                    if v is not None and k not in ("title", "started_on") and v != existing[k]
                }
                node.state = "change" if node.changes else "same"
                if node.changes and existing["status"] != "open":
                    node.row.problem(self.problems, None, "该问责事项已作出决定或已办结，不能通过导入修改")
                    continue
            self.plan.matters.append(node)
            if node.state != "same":
                self.plan.jurisdictions.add(node.unit.jurisdiction)


def _same_unit(a: UnitNode, b: UnitNode) -> bool:
    if a is b:
        return True
    return a.pk is not None and a.pk == b.pk


def plan_import(scope: set[str], parsed: Parsed, problems: Problems) -> Plan:
    return Planner(scope, parsed, problems).run()
