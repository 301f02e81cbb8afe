package nixmap

import (
	"fmt"
	"sort"
	"strings"
)

// LicenseResult is what Licenses makes of a release's license fields.
type LicenseResult struct {
	Nix     []string // lib.licenses attribute names, sorted, no duplicates
	Unknown bool     // nothing could be mapped without guessing; Nix is empty
	Unfree  bool     // some mapped license is unfree in nixpkgs
	// Source names the field that decided: "License-Expression",
	// "classifiers", "classifiers+License" (an ambiguous classifier made
	// precise by the License text) or "License". A License-Expression
	// decides even when it names a license nixpkgs lacks (Unknown with
	// Source set); "" when no field decided anything.
	Source string
	Note   string // why the answer is unknown, or what was set aside
}

// Where a LicenseResult came from.
const (
	LicenseFromExpression            = "License-Expression"
	LicenseFromClassifiers           = "classifiers"
	LicenseFromClassifiersAndLicense = "classifiers+License"
	LicenseFromText                  = "License"
)

// spdxToNix maps lower-cased SPDX identifiers ("+" included, deprecated
// ones as SPDX defines them: "GPL-2.0" is GPL-2.0-only) to lib.licenses
// attribute names, checked against nixpkgs' lib/licenses.nix.
var spdxToNix = map[string]string{
	"0bsd": "bsd0", "afl-2.0": "afl20", "afl-2.1": "afl21", "afl-3.0": "afl3",
	"agpl-3.0-only": "agpl3Only", "agpl-3.0-or-later": "agpl3Plus", "agpl-3.0": "agpl3Only", "agpl-3.0+": "agpl3Plus",
	"apache-2.0": "asl20", "artistic-1.0": "artistic1", "artistic-2.0": "artistic2",
	"bsl-1.0": "boost", "bsd-1-clause": "bsd1", "bsd-2-clause": "bsd2", "bsd-2-clause-patent": "bsd2Patent",
	"bsd-3-clause": "bsd3", "bsd-3-clause-clear": "bsd3Clear", "bsd-4-clause": "bsdOriginal",
	"busl-1.1": "bsl11", "cc0-1.0": "cc0", "cc-by-3.0": "cc-by-30", "cc-by-4.0": "cc-by-40",
	"cc-by-sa-4.0": "cc-by-sa-40", "cc-by-nc-4.0": "cc-by-nc-40", "cc-by-nc-sa-4.0": "cc-by-nc-sa-40",
	"cddl-1.0": "cddl", "cecill-2.1": "cecill21", "ecl-2.0": "ecl20", "epl-1.0": "epl10", "epl-2.0": "epl20",
	"eupl-1.1": "eupl11", "eupl-1.2": "eupl12",
	"gpl-1.0-only": "gpl1Only", "gpl-1.0-or-later": "gpl1Plus", "gpl-1.0+": "gpl1Plus",
	"gpl-2.0-only": "gpl2Only", "gpl-2.0-or-later": "gpl2Plus", "gpl-2.0": "gpl2Only", "gpl-2.0+": "gpl2Plus",
	"gpl-3.0-only": "gpl3Only", "gpl-3.0-or-later": "gpl3Plus", "gpl-3.0": "gpl3Only", "gpl-3.0+": "gpl3Plus",
	"hpnd": "hpnd", "isc": "isc",
	"lgpl-2.0-only": "lgpl2Only", "lgpl-2.0-or-later": "lgpl2Plus", "lgpl-2.0": "lgpl2Only", "lgpl-2.0+": "lgpl2Plus",
	"lgpl-2.1-only": "lgpl21Only", "lgpl-2.1-or-later": "lgpl21Plus", "lgpl-2.1": "lgpl21Only", "lgpl-2.1+": "lgpl21Plus",
	"lgpl-3.0-only": "lgpl3Only", "lgpl-3.0-or-later": "lgpl3Plus", "lgpl-3.0": "lgpl3Only", "lgpl-3.0+": "lgpl3Plus",
	"mit": "mit", "mit-0": "mit0", "mpl-1.0": "mpl10", "mpl-1.1": "mpl11", "mpl-2.0": "mpl20", "ms-pl": "mspl",
	"ncsa": "ncsa", "ofl-1.1": "ofl", "openssl": "openssl", "osl-3.0": "osl3", "postgresql": "postgresql",
	"python-2.0": "psfl", "psf-2.0": "psfl", "unlicense": "unlicense", "upl-1.0": "upl", "w3c": "w3c",
	"wtfpl": "wtfpl", "x11": "x11", "zlib": "zlib", "zpl-2.0": "zpl20", "zpl-2.1": "zpl21",
	"unicode-dfs-2016": "unicode-dfs-2016", "sspl-1.0": "sspl",
}

// spdxWithToNix maps "license WITH exception" pairs nixpkgs has one
// attribute for. Other exceptions are reported, not dropped.
var spdxWithToNix = map[string]string{
	"apache-2.0 with llvm-exception":                "asl20-llvm",
	"gpl-2.0-or-later with classpath-exception-2.0": "gpl2ClasspathPlus",
	"gpl-2.0+ with classpath-exception-2.0":         "gpl2ClasspathPlus",
}

// unfreeNix are the mapped attributes nixpkgs marks free = false.
var unfreeNix = map[string]bool{
	"bsl11": true, "cc-by-nc-40": true, "cc-by-nc-sa-40": true, "sspl": true, "unfree": true,
}

// A licMapping is either precise (attrs) or ambiguous between candidates.
type licMapping struct {
	attrs      []string
	candidates []string // non-empty: ambiguous; which one is not said
}

func precise(attrs ...string) licMapping   { return licMapping{attrs: attrs} }
func ambiguous(cands ...string) licMapping { return licMapping{candidates: cands} }
func (m licMapping) isAmbiguous() bool     { return len(m.candidates) > 0 }

var (
	bsdFamily      = []string{"bsd2", "bsd3", "bsdOriginal"}
	apacheFamily   = []string{"asl20"} // Apache 1.0 and 1.1 have no attribute
	gplFamily      = []string{"gpl1Only", "gpl1Plus", "gpl2Only", "gpl2Plus", "gpl3Only", "gpl3Plus"}
	lgplFamily     = []string{"lgpl2Only", "lgpl2Plus", "lgpl21Only", "lgpl21Plus", "lgpl3Only", "lgpl3Plus"}
	lgpl2Family    = []string{"lgpl2Only", "lgpl21Only"}
	lgpl2PlusFam   = []string{"lgpl2Plus", "lgpl21Plus"}
	agplFamily     = []string{"agpl3Only", "agpl3Plus"}
	mplFamily      = []string{"mpl10", "mpl11", "mpl20"}
	zplFamily      = []string{"zpl20", "zpl21"}
	aflFamily      = []string{"afl20", "afl21", "afl3"}
	artisticFamily = []string{"artistic1", "artistic2"}
)

// classifierToNix maps Trove license classifiers. "BSD License", "Apache
// Software License", unversioned GPL/LGPL and similar name a family, not a
// license, so they are ambiguous until the License text says which.
var classifierToNix = map[string]licMapping{
	"License :: OSI Approved :: MIT License":                                                precise("mit"),
	"License :: OSI Approved :: MIT No Attribution License (MIT-0)":                         precise("mit0"),
	"License :: OSI Approved :: BSD License":                                                ambiguous(bsdFamily...),
	"License :: OSI Approved :: Apache Software License":                                    ambiguous(apacheFamily...),
	"License :: OSI Approved :: GNU General Public License (GPL)":                           ambiguous(gplFamily...),
	"License :: OSI Approved :: GNU General Public License v2 (GPLv2)":                      precise("gpl2Only"),
	"License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)":            precise("gpl2Plus"),
	"License :: OSI Approved :: GNU General Public License v3 (GPLv3)":                      precise("gpl3Only"),
	"License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)":            precise("gpl3Plus"),
	"License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)":        ambiguous(lgplFamily...),
	"License :: OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)":              ambiguous(lgpl2Family...),
	"License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)":    ambiguous(lgpl2PlusFam...),
	"License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)":              precise("lgpl3Only"),
	"License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)":    precise("lgpl3Plus"),
	"License :: OSI Approved :: GNU Affero General Public License v3":                       precise("agpl3Only"),
	"License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)":    precise("agpl3Plus"),
	"License :: OSI Approved :: Mozilla Public License 1.0 (MPL)":                           precise("mpl10"),
	"License :: OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)":                       precise("mpl11"),
	"License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)":                       precise("mpl20"),
	"License :: OSI Approved :: Python Software Foundation License":                         precise("psfl"),
	"License :: OSI Approved :: ISC License (ISCL)":                                         precise("isc"),
	"License :: OSI Approved :: The Unlicense (Unlicense)":                                  precise("unlicense"),
	"License :: OSI Approved :: Zope Public License":                                        ambiguous(zplFamily...),
	"License :: OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)":                       precise("epl10"),
	"License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)":                       precise("epl20"),
	"License :: OSI Approved :: European Union Public Licence 1.1 (EUPL 1.1)":               precise("eupl11"),
	"License :: OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)":               precise("eupl12"),
	"License :: OSI Approved :: Academic Free License (AFL)":                                ambiguous(aflFamily...),
	"License :: OSI Approved :: Artistic License":                                           ambiguous(artisticFamily...),
	"License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)":                       precise("boost"),
	"License :: OSI Approved :: Universal Permissive License (UPL)":                         precise("upl"),
	"License :: OSI Approved :: zlib/libpng License":                                        precise("zlib"),
	"License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)":         precise("hpnd"),
	"License :: OSI Approved :: University of Illinois/NCSA Open Source License":            precise("ncsa"),
	"License :: OSI Approved :: Common Development and Distribution License 1.0 (CDDL-1.0)": precise("cddl"),
	"License :: OSI Approved :: PostgreSQL License":                                         precise("postgresql"),
	"License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication":                       precise("cc0"),
	"License :: Public Domain":                                                              precise("publicDomain"),
	"License :: Other/Proprietary License":                                                  precise("unfree"),
	"License :: OSI Approved :: Common Public License":                                      precise("cpl10"),
	"License :: OSI Approved :: Open Software License 3.0 (OSL-3.0)":                        precise("osl3"),
	"License :: OSI Approved :: W3C License":                                                precise("w3c"),
	"License :: OSI Approved :: Microsoft Public License":                                   precise("mspl"),
	"License :: OSI Approved :: Sleepycat License":                                          precise("sleepycat"),
	"License :: OSI Approved :: Eiffel Forum License":                                       ambiguous("efl10", "efl20"),
	"License :: OSI Approved :: GNU Free Documentation License (FDL)":                       ambiguous("fdl11Only", "fdl11Plus", "fdl12Only", "fdl12Plus", "fdl13Only", "fdl13Plus"),
}

// textToNix maps free License text, reduced by textKey, to licenses.
var textToNix = map[string]licMapping{
	"mit": precise("mit"), "expat": precise("mit"), "mit0": precise("mit0"),
	"bsd": ambiguous(bsdFamily...), "bsdstyle": ambiguous(bsdFamily...), "bsdlike": ambiguous(bsdFamily...),
	"bsd3": precise("bsd3"), "bsd3clause": precise("bsd3"), "3clausebsd": precise("bsd3"), "newbsd": precise("bsd3"),
	"bsdnew": precise("bsd3"), "modifiedbsd": precise("bsd3"), "revisedbsd": precise("bsd3"), "bsd3clausenew": precise("bsd3"),
	"bsd2": precise("bsd2"), "bsd2clause": precise("bsd2"), "2clausebsd": precise("bsd2"), "simplifiedbsd": precise("bsd2"),
	"bsdsimplified": precise("bsd2"), "freebsd": precise("bsd2"), "0bsd": precise("bsd0"),
	"apache": ambiguous(apacheFamily...), "apachesoftware": ambiguous(apacheFamily...),
	"apache2": precise("asl20"), "apachesoftware2": precise("asl20"), "asl2": precise("asl20"), "apl2": precise("asl20"),
	"gpl": ambiguous(gplFamily...), "gnugpl": ambiguous(gplFamily...), "gnugeneralpublic": ambiguous(gplFamily...),
	"gpl2": precise("gpl2Only"), "gpl2only": precise("gpl2Only"), "gpl2+": precise("gpl2Plus"), "gpl2orlater": precise("gpl2Plus"),
	"gpl3": precise("gpl3Only"), "gpl3only": precise("gpl3Only"), "gpl3+": precise("gpl3Plus"), "gpl3orlater": precise("gpl3Plus"),
	"gnugpl2": precise("gpl2Only"), "gnugpl2+": precise("gpl2Plus"), "gnugpl3": precise("gpl3Only"), "gnugpl3+": precise("gpl3Plus"),
	"gnugeneralpublic2": precise("gpl2Only"), "gnugeneralpublic3": precise("gpl3Only"),
	"gnugeneralpublic2orlater": precise("gpl2Plus"), "gnugeneralpublic3orlater": precise("gpl3Plus"),
	"lgpl": ambiguous(lgplFamily...), "gnulgpl": ambiguous(lgplFamily...),
	"lgpl2": ambiguous(lgpl2Family...), "lgpl2+": ambiguous(lgpl2PlusFam...),
	"lgpl2.1": precise("lgpl21Only"), "lgpl2.1only": precise("lgpl21Only"), "lgpl2.1+": precise("lgpl21Plus"), "lgpl2.1orlater": precise("lgpl21Plus"),
	"lgpl3": precise("lgpl3Only"), "lgpl3only": precise("lgpl3Only"), "lgpl3+": precise("lgpl3Plus"), "lgpl3orlater": precise("lgpl3Plus"),
	"agpl": ambiguous(agplFamily...), "agpl3": precise("agpl3Only"), "agpl3only": precise("agpl3Only"),
	"agpl3+": precise("agpl3Plus"), "agpl3orlater": precise("agpl3Plus"),
	"mpl": ambiguous(mplFamily...), "mpl2": precise("mpl20"), "mozillapublic2": precise("mpl20"), "mpl1.1": precise("mpl11"),
	"psf": precise("psfl"), "psfl": precise("psfl"), "psf2": precise("psfl"), "pythonsoftwarefoundation": precise("psfl"),
	"isc": precise("isc"), "iscl": precise("isc"),
	"unlicense": precise("unlicense"), "publicdomain": precise("publicDomain"), "cc0": precise("cc0"), "cc01": precise("cc0"),
	"zlib": precise("zlib"), "wtfpl": precise("wtfpl"), "zpl": ambiguous(zplFamily...), "zpl2.1": precise("zpl21"), "zpl2": precise("zpl20"),
	"proprietary": precise("unfree"), "otherproprietary": precise("unfree"),
	"epl2": precise("epl20"), "eupl1.2": precise("eupl12"), "boost": precise("boost"), "bsl1": precise("boost"),
}

// Free texts that say nothing about the license.
var noLicense = map[string]bool{"": true, "unknown": true, "none": true, "na": true, "other": true, "see": true, "seefile": true}

// Licenses maps a release's license fields to lib.licenses attributes,
// never guessing. Priority: a valid SPDX License-Expression decides alone
// (an identifier without attribute makes the result unknown, not partial);
// else the Trove license classifiers, all of which must map, an ambiguous
// one ("BSD License") being made precise by the License text when that text
// names one of its candidates ("BSD-3-Clause"); else the License text: a
// known spelling, an SPDX expression, or a license body recognised by its
// wording. "UNKNOWN", "" and a bare family name ("BSD") give Unknown with
// a Note.
func Licenses(expression, free string, classifiers []string) LicenseResult {
	var notes []string
	if expr := strings.TrimSpace(expression); expr != "" {
		e, err := parseSPDX(expr)
		if err == nil {
			attrs, missing := mapSPDX(e)
			if len(missing) > 0 {
				return unknown(LicenseFromExpression, fmt.Sprintf("License-Expression %q: no lib.licenses attribute for %s", expr, strings.Join(missing, ", ")))
			}
			return found(attrs, LicenseFromExpression, "")
		}
		notes = append(notes, err.Error()+"; ignored")
	}

	text := textMapping(free)
	var classAttrs []string
	var pending [][]string // candidates of ambiguous classifiers
	var unmapped []string
	for _, c := range classifiers {
		c = strings.TrimSpace(c)
		if !strings.HasPrefix(c, "License ::") || c == "License :: OSI Approved" {
			continue
		}
		m, ok := classifierToNix[c]
		switch {
		case !ok:
			unmapped = append(unmapped, c)
		case m.isAmbiguous():
			pending = append(pending, m.candidates)
		default:
			classAttrs = append(classAttrs, m.attrs...)
		}
	}
	if len(unmapped) > 0 {
		notes = append(notes, fmt.Sprintf("classifier %q has no lib.licenses attribute", unmapped[0]))
	}
	if len(unmapped) == 0 && (len(classAttrs) > 0 || len(pending) > 0) {
		source := LicenseFromClassifiers
		for _, cands := range pending {
			chosen := intersect(text.attrs, cands)
			if len(chosen) == 0 {
				notes = append(notes, fmt.Sprintf("a license classifier names a family (%s) and the License text %q does not say which", strings.Join(cands, ", "), shorten(free)))
				return unknown("", strings.Join(notes, "; "))
			}
			classAttrs = append(classAttrs, chosen...)
			source = LicenseFromClassifiersAndLicense
		}
		return found(classAttrs, source, strings.Join(notes, "; "))
	}

	switch {
	case len(text.attrs) > 0:
		return found(text.attrs, LicenseFromText, strings.Join(notes, "; "))
	case text.isAmbiguous():
		notes = append(notes, fmt.Sprintf("License %q names a family (%s), not a license", shorten(free), strings.Join(text.candidates, ", ")))
	case !noLicense[textKey(free)]:
		notes = append(notes, fmt.Sprintf("License %q not recognised", shorten(free)))
	}
	return unknown("", strings.Join(notes, "; "))
}

func found(attrs []string, source, note string) LicenseResult {
	attrs = sortedUnique(attrs)
	r := LicenseResult{Nix: attrs, Source: source, Note: note}
	for _, a := range attrs {
		if unfreeNix[a] {
			r.Unfree = true
		}
	}
	return r
}

func unknown(source, note string) LicenseResult {
	return LicenseResult{Unknown: true, Source: source, Note: note}
}

// mapSPDX maps every license of the expression; AND and OR both become a
// list, as nixpkgs' meta.license has no way to say which.
func mapSPDX(e *spdxExpr) (attrs, missing []string) {
	for _, l := range e.leaves() {
		key := strings.ToLower(l.id)
		if l.plus {
			key += "+"
		}
		var attr string
		var ok bool
		if l.exception != "" {
			attr, ok = spdxWithToNix[key+" with "+strings.ToLower(l.exception)]
		} else {
			attr, ok = spdxToNix[key]
		}
		if !ok {
			missing = append(missing, l.String())
			continue
		}
		attrs = append(attrs, attr)
	}
	return attrs, missing
}

// textMapping reads free License text: a known spelling, else an SPDX
// expression whose identifiers all map, else a recognised license body.
func textMapping(free string) licMapping {
	if m, ok := textToNix[textKey(free)]; ok {
		return m
	}
	if e, err := parseSPDX(strings.TrimSpace(free)); err == nil {
		if attrs, missing := mapSPDX(e); len(missing) == 0 {
			return precise(attrs...)
		}
	}
	return recogniseBody(free)
}

// textKey reduces a license name to a lookup key: lower case, "licence"
// spelled "license", filler words ("the", "license", "version", "v")
// dropped, a "v" before a version number dropped, separators removed and
// ".0" version suffixes dropped. "Apache License, Version 2.0", "Apache-2"
// and "apache 2.0" all become "apache2".
func textKey(s string) string {
	s = strings.ReplaceAll(strings.ToLower(s), "licence", "license")
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '+')
	})
	var b strings.Builder
	prev := ""
	for _, w := range words {
		w = strings.Trim(w, ".")
		switch w {
		case "", "the", "license", "version", "v", prev:
			continue // "The MIT License (MIT)" is "mit"
		}
		prev = w
		b.WriteString(w)
	}
	k := b.String()
	digit := func(i int) bool { return i < len(k) && k[i] >= '0' && k[i] <= '9' }
	var out strings.Builder
	for i := 0; i < len(k); i++ {
		switch {
		case k[i] == '.' && i+1 < len(k) && k[i+1] == '0' && !digit(i+2):
			i++ // "2.0" is "2"
		case k[i] == 'v' && digit(i+1) && (i == 0 || k[i-1] >= 'a' && k[i-1] <= 'z'):
			// "gplv3" is "gpl3"
		default:
			out.WriteByte(k[i])
		}
	}
	return out.String()
}

// bodyHead is how much of a license text counts as its title lines.
const bodyHead = 400

// recogniseBody recognises whole license texts pasted into the License
// field by wording each license's text (or its standard notice) contains.
// GPL-family texts without an "or any later version" notice name a
// version but not whether later ones are allowed, so they stay ambiguous.
func recogniseBody(free string) licMapping {
	text := strings.Join(strings.Fields(strings.ToLower(free)), " ")
	if text == "" {
		return licMapping{}
	}
	head := text
	if len(head) > bodyHead {
		head = head[:bodyHead]
	}
	has := func(s string) bool { return strings.Contains(text, s) }
	var attrs []string
	var cands []string
	laterVersion := func(v string) bool {
		return has("either version "+v+" of the license, or (at your option) any later version") ||
			has("version "+v+" of the license, or (at your option) any later version")
	}
	gnu := func(only, plus, v string) {
		if laterVersion(v) {
			attrs = append(attrs, plus)
		} else {
			cands = append(cands, only, plus)
		}
	}
	switch {
	case strings.Contains(head, "gnu lesser general public license") || strings.Contains(head, "gnu library general public license"):
		switch {
		case has("version 3, 29 june 2007"):
			gnu("lgpl3Only", "lgpl3Plus", "3")
		case has("version 2.1, february 1999"):
			gnu("lgpl21Only", "lgpl21Plus", "2.1")
		default:
			cands = append(cands, lgplFamily...)
		}
	case strings.Contains(head, "gnu affero general public license"):
		gnu("agpl3Only", "agpl3Plus", "3")
	case strings.Contains(head, "gnu general public license"):
		switch {
		case has("version 3, 29 june 2007"):
			gnu("gpl3Only", "gpl3Plus", "3")
		case has("version 2, june 1991"):
			gnu("gpl2Only", "gpl2Plus", "2")
		default:
			cands = append(cands, gplFamily...)
		}
	}
	if strings.Contains(head, "mozilla public license version 2.0") || strings.Contains(head, "mozilla public license, version 2.0") {
		attrs = append(attrs, "mpl20")
	}
	if (strings.Contains(head, "apache license") && has("version 2.0, january 2004")) || has("licensed under the apache license, version 2.0") {
		attrs = append(attrs, "asl20")
	}
	if strings.Contains(head, "python software foundation license version 2") {
		attrs = append(attrs, "psfl")
	}
	if has("permission is hereby granted, free of charge, to any person obtaining a copy") {
		attrs = append(attrs, "mit")
	}
	if has("redistribution and use in source and binary forms, with or without modification, are permitted") {
		switch {
		case has("all advertising materials mentioning"):
			attrs = append(attrs, "bsdOriginal")
		case has("neither the name") || has("may not be used to endorse or promote products"):
			attrs = append(attrs, "bsd3")
		default:
			attrs = append(attrs, "bsd2")
		}
	}
	if has("permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted") ||
		has("permission to use, copy, modify, and distribute this software for any purpose with or without fee is hereby granted") {
		attrs = append(attrs, "isc")
	}
	if has("this is free and unencumbered software released into the public domain") {
		attrs = append(attrs, "unlicense")
	}
	if has("do what the fuck you want to public license") {
		attrs = append(attrs, "wtfpl")
	}
	if len(cands) > 0 {
		return ambiguous(cands...)
	}
	return precise(attrs...)
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 60
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// intersect returns the xs that are also in of.
func intersect(xs, of []string) []string {
	var out []string
	for _, x := range xs {
		for _, y := range of {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

func sortedUnique(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	j := 0
	for i, x := range out {
		if i == 0 || x != out[j-1] {
			out[j] = x
			j++
		}
	}
	return out[:j]
}
