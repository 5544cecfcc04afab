"""Sheet uploads by staff: a dry run writes only its audit row; rows must be in their area."""

from __future__ import annotations

import pytest

from lifecircle.errors import AccessDenied
from lifecircle.staff.uploads import upload_sheet
from tests.staff.conftest import NEIGHBOUR, OWN

HEADER = "编号,名称,类型,经度,纬度,所属社区\n"


def _sheet(tmp_path, *rows: str):
    path = tmp_path / "upload.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_dry_run_then_commit_is_one_version_with_its_audit_row(staff_project, user_of, tmp_path):
    path = _sheet(tmp_path, f"U1,测试卫生站（测试数据）,卫生服务站,24.9405,60.1700,{OWN}\n")
    with staff_project.open_store() as store:
        versions = len(store.versions())
    report = upload_sheet(staff_project, user_of("own"), "facilities", path, dry_run=True)
    assert report.dry_run and report.summary.counts()["facility"]["added"] == 1
    with staff_project.open_store() as store:
        assert len(store.versions()) == versions
        assert store.accounts.audit(limit=1)[0].action == "sheet.dry_run"
    done = upload_sheet(staff_project, user_of("own"), "facilities", path, dry_run=False)
    assert done.version is not None and done.version.author == "own"
    with staff_project.open_store() as store:
        entry = store.accounts.audit(limit=1)[0]
        assert (entry.action, entry.data_version) == ("sheet.import", done.version.id)
        assert store.count("facility", scope="sheet:upload") == 1


def test_rows_of_another_community_are_refused(staff_project, user_of, tmp_path):
    path = _sheet(
        tmp_path,
        f"U1,甲（测试数据）,卫生服务站,24.9405,60.1700,{OWN}\n",
        f"U2,乙（测试数据）,卫生服务站,24.9410,60.1702,{NEIGHBOUR}\n",
    )
    with staff_project.open_store() as store:
        audit = store.accounts.count_audit()
    with pytest.raises(AccessDenied, match="乙"):
        upload_sheet(staff_project, user_of("own"), "facilities", path, dry_run=True)
    with staff_project.open_store() as store:
        assert store.accounts.count_audit() == audit
    report = upload_sheet(staff_project, user_of("district"), "facilities", path, dry_run=False)
    assert report.summary.counts()["facility"]["added"] == 2


def test_an_upload_may_not_remove_records_of_another_area(staff_project, user_of, tmp_path):
    both = _sheet(
        tmp_path,
        f"U1,甲（测试数据）,卫生服务站,24.9405,60.1700,{OWN}\n",
        f"U2,乙（测试数据）,卫生服务站,24.9410,60.1702,{NEIGHBOUR}\n",
    )
    upload_sheet(staff_project, user_of("district"), "facilities", both, dry_run=False)
    only_own = _sheet(tmp_path, f"U1,甲（测试数据）,卫生服务站,24.9405,60.1700,{OWN}\n")
    with pytest.raises(AccessDenied, match="乙"):
        upload_sheet(staff_project, user_of("own"), "facilities", only_own, dry_run=False)
