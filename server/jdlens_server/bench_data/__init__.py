"""The benchmark's fixed JD set: 40 job descriptions of 2.0-2.7k characters, written for jdlens
(original text, not taken from any dataset), one occupation each: nurse, accountant, data engineer,
truck driver, teacher, plumber, paralegal, SOC analyst and more, in UK, US, EU, Australian and other
styles. ``jds.jsonl.gz`` holds one ``{"id", "title", "text"}`` object per line."""
