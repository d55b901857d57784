#!/usr/bin/env python3
"""Checks a dataset written by misync-bench-gen_sims, independently of the generator.

    verify_sims.py DIR            checks one dataset (SPEC §1 UPNs, §6.1 format, §7 config)
    verify_sims.py DAY0 DAY1      also compares two days and reports the churn between them

Exits 1 when a check fails. Uses only the Python standard library.
"""
import collections
import datetime
import os
import re
import sys
import tomllib
import xml.etree.ElementTree as ET

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
STUDENT_TAGS = {"ID", "UPN", "Adno", "Legal_x0020_Forename", "Legal_x0020_Surname",
                "Preferred_x0020_Forename", "Preferred_x0020_Surname", "DOB", "Gender", "Year",
                "Reg", "Admission_x0020_Date", "Leaving_x0020_Date", "Enrolment_x0020_Status"}
STAFF_TAGS = {"ID", "Staff_x0020_Code", "Title", "Legal_x0020_Forename", "Legal_x0020_Surname",
              "Preferred_x0020_Forename", "Preferred_x0020_Surname", "Start_x0020_Date",
              "Leaving_x0020_Date", "Role", "EWC_x0020_Number"}
GROUP_TAGS = {"Group", "Group_x0020_Type", "Subject", "Year", "ID", "Member_x0020_Type"}
ROLES = {"Headteacher", "Deputy Headteacher", "Teacher", "Teaching Assistant",
         "Learning Support Assistant", "Cover Supervisor", "Technician", "Administrator"}


def check_letter(body):
    """SPEC §1: S = sum of i * value(c_i) for i = 2..13; the letter is L[S mod 23]."""
    total = 0
    for i, c in enumerate(body, start=2):
        total += i * (int(c) if c.isdigit() else LETTERS.index(c))
    return LETTERS[total % 23]


def year_code(text):
    """SIMS long year ("Year  7", "Reception", "Nursery 2") to the short code."""
    if text.startswith("Nursery "):
        return "N" + text.split()[1]
    if text == "Reception":
        return "R"
    m = re.fullmatch(r"Year +(\d+)", text)
    return m.group(1) if m else None


def expected_year(dob, academic_year):
    """The year group a child born on `dob` is in, by the 1 September cut-off (R = 0)."""
    born_school_year = dob.year if dob.month >= 9 else dob.year - 1
    return academic_year - 5 - born_school_year


def year_number(code):
    return {"N1": -2, "N2": -1, "R": 0}.get(code, None) if not code.isdigit() else int(code)


class Checker:
    def __init__(self, root):
        self.root = root
        self.errors = []

    def error(self, message):
        if len(self.errors) < 50:
            print("ERROR", message)
        self.errors.append(message)

    def records(self, path, allowed):
        tree = ET.parse(path)
        top = tree.getroot()
        if top.tag != "SuperStarReport":
            self.error(f"{path}: root is {top.tag}")
        out = []
        for n, rec in enumerate(top, start=1):
            if rec.tag != "Record":
                self.error(f"{path}:{n}: element {rec.tag}")
                continue
            row = {}
            for col in rec:
                if col.tag not in allowed:
                    self.error(f"{path}:{n}: unexpected column {col.tag}")
                if not (col.text or "").strip():
                    self.error(f"{path}:{n}: empty column {col.tag} (should be absent)")
                if col.tag in row:
                    self.error(f"{path}:{n}: repeated column {col.tag}")
                row[col.tag] = col.text or ""
            out.append(row)
        return out


def load(root):
    """Reads and checks one dataset; returns (checker, summary, learners by UPN on roll)."""
    c = Checker(root)
    manifest = dict(line.strip().split("=", 1)
                    for line in open(os.path.join(root, "bench-manifest.txt")) if "=" in line)
    as_of = datetime.date.fromisoformat(manifest["as_of"])
    academic_year = as_of.year if as_of.month >= 9 else as_of.year - 1
    with open(os.path.join(root, "misync.toml"), "rb") as f:
        config = tomllib.load(f)
    if config["directory"] != {"backend": "sqlite", "path": "directory.db"}:
        c.error(f"[directory] is {config['directory']}")
    if config["secrets"] != {"key_file": "secret.key"}:
        c.error(f"[secrets] is {config['secrets']}")
    schools = config["school"]
    dfes_seen = set()
    for s in schools:
        d = s["dfes"]
        if not re.fullmatch(r"\d{7}", d) or not 660 <= int(d[:3]) <= 681:
            c.error(f"bad DfES {d}")
        if d in dfes_seen:
            c.error(f"duplicate DfES {d}")
        dfes_seen.add(d)
        if s["connector"] != "sims-xml" or s["source"] != d or not s.get("name"):
            c.error(f"school {d}: {s}")

    n = collections.Counter()
    on_roll = {}  # UPN -> (school, record)
    all_upns = collections.Counter()
    ewcs = collections.Counter()
    year_match = collections.Counter()
    groups = set()
    for s in schools:
        d = s["dfes"]
        folder = os.path.join(root, s["source"])
        students = c.records(os.path.join(folder, "students.xml"), STUDENT_TAGS)
        staff = c.records(os.path.join(folder, "staff.xml"), STAFF_TAGS)
        members = c.records(os.path.join(folder, "groups.xml"), GROUP_TAGS)
        ids = collections.Counter(r.get("ID") for r in students + staff)
        for i, k in ids.items():
            if k > 1 or not i:
                c.error(f"{d}: ID {i} used {k} times")
        pupils = {}
        for r in students:
            n["learner_records"] += 1
            for need in ("ID", "UPN", "Adno", "Legal_x0020_Forename", "Legal_x0020_Surname",
                         "DOB", "Gender", "Year", "Reg", "Admission_x0020_Date",
                         "Enrolment_x0020_Status"):
                if need not in r:
                    c.error(f"{d}: learner {r.get('ID')} has no {need}")
            upn = r.get("UPN", "")
            if not re.fullmatch(r"[A-Z]\d{12}", upn) or not 660 <= int(upn[1:4]) <= 681:
                c.error(f"{d}: UPN {upn!r} has a bad shape")
            elif check_letter(upn[1:]) != upn[0]:
                c.error(f"{d}: UPN {upn} has a wrong check letter")
            all_upns[upn] += 1
            leaving = r.get("Leaving_x0020_Date")
            admission = datetime.date.fromisoformat(r["Admission_x0020_Date"])
            if leaving is not None:
                n["listed_leavers"] += 1
                if datetime.date.fromisoformat(leaving) > as_of:
                    c.error(f"{d}: leaving date {leaving} after as-of")
                if datetime.date.fromisoformat(leaving) < admission:
                    c.error(f"{d}: leaving date {leaving} before admission")
                continue
            if admission > as_of:
                c.error(f"{d}: admission {admission} after as-of")
            if upn in on_roll:
                c.error(f"UPN {upn} on roll at {on_roll[upn][0]} and {d}")
            on_roll[upn] = (d, r)
            pupils[r["ID"]] = r
            code = year_code(r["Year"])
            if code is None:
                c.error(f"{d}: year {r['Year']!r}")
                continue
            off = abs(expected_year(datetime.date.fromisoformat(r["DOB"]), academic_year) -
                      year_number(code))
            year_match[min(off, 2)] += 1
            if r["Gender"] not in ("M", "F") or r["Enrolment_x0020_Status"] != "C":
                c.error(f"{d}: gender/enrolment {r}")
        staff_ids = set()
        codes = collections.Counter()
        for r in staff:
            n["staff"] += 1
            staff_ids.add(r["ID"])
            codes[r.get("Staff_x0020_Code")] += 1
            if r.get("Role") not in ROLES:
                c.error(f"{d}: role {r.get('Role')}")
            if "EWC_x0020_Number" in r:
                ewcs[r["EWC_x0020_Number"]] += 1
        for code, k in codes.items():
            if k > 1 or not code:
                c.error(f"{d}: staff code {code!r} used {k} times")
        reg_of = collections.defaultdict(list)
        year_of = collections.defaultdict(list)
        for r in members:
            n["group_records"] += 1
            groups.add((d, r["Group"], r["Group_x0020_Type"]))
            if "ID" not in r:
                if "Member_x0020_Type" in r:
                    c.error(f"{d}: member type without ID in {r}")
                continue
            n["memberships"] += 1
            kind = r["Member_x0020_Type"]
            if kind == "Pupil":
                if r["ID"] not in pupils:
                    c.error(f"{d}: group {r['Group']} lists {r['ID']}, not a pupil on roll")
                    continue
                p = pupils[r["ID"]]
                if r["Group_x0020_Type"] == "Registration":
                    reg_of[r["ID"]].append(r["Group"])
                    if r["Group"] != p["Reg"]:
                        c.error(f"{d}: pupil {r['ID']} reg {p['Reg']} but in {r['Group']}")
                if r["Group_x0020_Type"] == "Year":
                    year_of[r["ID"]].append(r["Group"])
                if r["Group_x0020_Type"] != "House" and r.get("Year") != year_code(p["Year"]):
                    c.error(f"{d}: pupil {r['ID']} in {r['Group']} of year {r.get('Year')}")
            elif kind == "Staff":
                if r["ID"] not in staff_ids:
                    c.error(f"{d}: group {r['Group']} lists staff {r['ID']}, not in staff.xml")
            else:
                c.error(f"{d}: member type {kind}")
        for pid in pupils:
            if len(reg_of[pid]) != 1 or len(year_of[pid]) != 1:
                c.error(f"{d}: pupil {pid} in {reg_of[pid]} and {year_of[pid]}")
    for e, k in ewcs.items():
        if k > 1:
            c.error(f"EWC number {e} used {k} times")
    n["schools"] = len(schools)
    n["learners_on_roll"] = len(on_roll)
    n["groups"] = len(groups)
    for key in ("schools", "learners_on_roll", "learner_records", "listed_leavers", "staff",
                "memberships", "group_records", "groups"):
        if str(n[key]) != manifest[key]:
            c.error(f"{key}: counted {n[key]}, manifest says {manifest[key]}")
    # A UPN appears twice only for a transfer: on roll at one school, a leaver at the other.
    repeated = sum(1 for k in all_upns.values() if k > 1)
    print(f"{root}: as-of {as_of}, {n['schools']} schools, {n['learners_on_roll']} learners on roll "
          f"({n['listed_leavers']} listed leavers, {repeated} UPNs listed twice), {n['staff']} staff, "
          f"{n['groups']} groups, {n['memberships']} memberships; every UPN check letter verified; "
          f"DOB matches year group for {year_match[0]}, off by one {year_match[1]}, "
          f"further {year_match[2]}")
    if year_match[2]:
        c.error(f"{year_match[2]} learners' DOB is more than a year off their year group")
    return c, on_roll


def compare(day0, day1):
    """Reports the churn between two days by UPN: joiners, leavers, transfers, changes."""
    joined = [u for u in day1 if u not in day0]
    left = [u for u in day0 if u not in day1]
    moved = reg = year = name = pref = 0
    for u, (school, r) in day1.items():
        if u not in day0:
            continue
        school0, r0 = day0[u]
        if school != school0:
            moved += 1
            continue
        reg += r["Reg"] != r0["Reg"] and r["Year"] == r0["Year"]
        year += r["Year"] != r0["Year"]
        name += (r["Legal_x0020_Surname"], r["Legal_x0020_Forename"]) != \
                (r0["Legal_x0020_Surname"], r0["Legal_x0020_Forename"])
        pref += r.get("Preferred_x0020_Forename") != r0.get("Preferred_x0020_Forename")
    changed = len(joined) + len(left) + moved + reg + year + name + pref
    print(f"churn: {len(joined)} joined, {len(left)} left, {moved} transferred, {reg} changed reg "
          f"group, {year} changed year, {name} changed legal name, {pref} changed preferred "
          f"forename: {changed} learners = {100.0 * changed / max(len(day0), 1):.2f}% of day 0")
    return changed


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__)
        return 2
    checker, first = load(argv[1])
    failed = bool(checker.errors)
    if len(argv) == 3:
        checker2, second = load(argv[2])
        failed = failed or bool(checker2.errors)
        if compare(first, second) == 0:
            print("ERROR no churn between the two days")
            failed = True
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
