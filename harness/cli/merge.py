"""`runtest.py --merge-reports OUT.json IN.json... [--junit-xml FILE] [--html FILE]
[--force-merge]`."""

from __future__ import annotations

from harness.core.errors import UsageError
from harness.core.exitcodes import ExitCode
from harness.core.options import Options
from harness.core.results import Summary
from harness.reports.htmlreport import write_html
from harness.reports.jsonreport import report_data, write_json
from harness.reports.junitreport import write_junit
from harness.reports.loading import load_report
from harness.reports.merge import merge


def merge_reports(opts: Options) -> int:
    out, *inputs = opts.merge_reports
    if not inputs:
        raise UsageError("--merge-reports OUT.json IN.json...: no reports to merge")
    if out.exists() and out.suffix == ".json" and load_report(out).run.get("shard"):
        raise UsageError(
            f"{out} is a shard's report, and --merge-reports writes its first "
            f"file: name the merged report first (--merge-reports all.json "
            f"{' '.join(str(p) for p in opts.merge_reports)})"
        )
    reports = [load_report(p) for p in inputs]
    run, results, groups = merge(reports, opts.force_merge)
    selected = [n for rep in reports for n in rep.selected]
    data = report_data(results, run, selected)
    write_json(out, data)
    if opts.html:
        write_html(opts.html, data)
    if opts.junit_xml:
        write_junit(opts.junit_xml, groups)
    summary = Summary.of(results)
    print(f"merged {len(reports)} reports into {out}: {summary.words}")
    return ExitCode.TESTS_FAILED if summary.fails_run else ExitCode.OK
