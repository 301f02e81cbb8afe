package nixmap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	mitBody = `The MIT License (MIT)

Copyright (c) 2015 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal`
	bsd3Body = `Copyright (c) Django Software Foundation and individual contributors.
All rights reserved.

Redistribution and use in source and binary forms, with or without modification,
are permitted provided that the following conditions are met:

    1. Redistributions of source code must retain the above copyright notice,
       this list of conditions and the following disclaimer.

    3. Neither the name of Django nor the names of its contributors may be used
       to endorse or promote products derived from this software without
       specific prior written permission.`
	bsd2Body = `Copyright (c) 2012, Someone
Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
1. Redistributions of source code must retain the above copyright notice.
2. Redistributions in binary form must reproduce the above copyright notice.`
	gpl3Body = `                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>`
	gpl3PlusNotice = `GNU GENERAL PUBLIC LICENSE
Version 3, 29 June 2007
This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.`
	lgpl21Body = `                  GNU LESSER GENERAL PUBLIC LICENSE
                       Version 2.1, February 1999`
	apacheBody = `                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/`
)

func TestLicenses(t *testing.T) {
	const (
		bsdClassifier    = "License :: OSI Approved :: BSD License"
		mitClassifier    = "License :: OSI Approved :: MIT License"
		apacheClassifier = "License :: OSI Approved :: Apache Software License"
	)
	tests := []struct {
		name        string
		expr, free  string
		classifiers []string
		want        LicenseResult
		noteHas     string
	}{
		// License-Expression decides alone.
		{name: "expression", expr: "MIT", free: "BSD", want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromExpression}},
		{name: "expression OR AND", expr: "(MIT OR Apache-2.0) AND BSD-3-Clause",
			want: LicenseResult{Nix: []string{"asl20", "bsd3", "mit"}, Source: LicenseFromExpression}},
		{name: "expression case-insensitive ids", expr: "apache-2.0 or mit", want: LicenseResult{Nix: []string{"asl20", "mit"}, Source: LicenseFromExpression}},
		{name: "expression or-later", expr: "GPL-3.0-or-later", want: LicenseResult{Nix: []string{"gpl3Plus"}, Source: LicenseFromExpression}},
		{name: "deprecated plus", expr: "LGPL-2.1+", want: LicenseResult{Nix: []string{"lgpl21Plus"}, Source: LicenseFromExpression}},
		{name: "WITH known pair", expr: "Apache-2.0 WITH LLVM-exception", want: LicenseResult{Nix: []string{"asl20-llvm"}, Source: LicenseFromExpression}},
		{name: "WITH unknown pair is unknown", expr: "GPL-3.0-only WITH GCC-exception-3.1",
			want: LicenseResult{Unknown: true, Source: LicenseFromExpression}, noteHas: "GPL-3.0-only WITH GCC-exception-3.1"},
		{name: "LicenseRef unknown, classifiers not consulted", expr: "LicenseRef-Proprietary", classifiers: []string{mitClassifier},
			want: LicenseResult{Unknown: true, Source: LicenseFromExpression}, noteHas: "LicenseRef-Proprietary"},
		{name: "unfree expression", expr: "BUSL-1.1", want: LicenseResult{Nix: []string{"bsl11"}, Unfree: true, Source: LicenseFromExpression}},
		{name: "invalid expression falls back", expr: "MIT AND", classifiers: []string{mitClassifier},
			want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromClassifiers}, noteHas: "ignored"},

		// Classifiers.
		{name: "classifier", free: "UNKNOWN", classifiers: []string{"Framework :: Django", mitClassifier, "License :: OSI Approved"},
			want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromClassifiers}},
		{name: "two classifiers", classifiers: []string{mitClassifier, "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)"},
			want: LicenseResult{Nix: []string{"gpl3Plus", "mit"}, Source: LicenseFromClassifiers}},
		{name: "BSD classifier and BSD text stay ambiguous", free: "BSD", classifiers: []string{bsdClassifier},
			want: LicenseResult{Unknown: true}, noteHas: "bsd2, bsd3, bsdOriginal"},
		{name: "BSD classifier without text", classifiers: []string{bsdClassifier}, want: LicenseResult{Unknown: true}, noteHas: "does not say which"},
		{name: "BSD classifier made precise by text", free: "BSD-3-Clause", classifiers: []string{bsdClassifier},
			want: LicenseResult{Nix: []string{"bsd3"}, Source: LicenseFromClassifiersAndLicense}},
		{name: "BSD classifier made precise by body", free: bsd2Body, classifiers: []string{bsdClassifier},
			want: LicenseResult{Nix: []string{"bsd2"}, Source: LicenseFromClassifiersAndLicense}},
		{name: "Apache classifier with Apache 2.0 text", free: "Apache License, Version 2.0", classifiers: []string{apacheClassifier},
			want: LicenseResult{Nix: []string{"asl20"}, Source: LicenseFromClassifiersAndLicense}},
		{name: "Apache classifier alone", free: "Apache Software License", classifiers: []string{apacheClassifier},
			want: LicenseResult{Unknown: true}, noteHas: "asl20"},
		{name: "unmapped classifier falls back to text", free: "MIT", classifiers: []string{"License :: Freely Distributable"},
			want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromText}, noteHas: "Freely Distributable"},
		{name: "proprietary classifier", classifiers: []string{"License :: Other/Proprietary License"},
			want: LicenseResult{Nix: []string{"unfree"}, Unfree: true, Source: LicenseFromClassifiers}},

		// Free text spellings.
		{name: "MIT", free: "MIT", want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromText}},
		{name: "MIT License", free: "MIT License", want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromText}},
		{name: "The MIT License (MIT)", free: "The MIT License (MIT)", want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromText}},
		{name: "BSD alone", free: "BSD", want: LicenseResult{Unknown: true}, noteHas: "names a family"},
		{name: "BSD License alone", free: "BSD License", want: LicenseResult{Unknown: true}, noteHas: "names a family"},
		{name: "BSD-3-Clause", free: "BSD-3-Clause", want: LicenseResult{Nix: []string{"bsd3"}, Source: LicenseFromText}},
		{name: "New BSD License", free: "New BSD License", want: LicenseResult{Nix: []string{"bsd3"}, Source: LicenseFromText}},
		{name: "Apache 2.0", free: "Apache 2.0", want: LicenseResult{Nix: []string{"asl20"}, Source: LicenseFromText}},
		{name: "Apache Software License 2.0", free: "Apache Software License 2.0", want: LicenseResult{Nix: []string{"asl20"}, Source: LicenseFromText}},
		{name: "GPLv3", free: "GPLv3", want: LicenseResult{Nix: []string{"gpl3Only"}, Source: LicenseFromText}},
		{name: "GPLv3+", free: "GPLv3+", want: LicenseResult{Nix: []string{"gpl3Plus"}, Source: LicenseFromText}},
		{name: "LGPL", free: "LGPL", want: LicenseResult{Unknown: true}, noteHas: "lgpl21Only"},
		{name: "LGPLv2.1+", free: "LGPL v2.1+", want: LicenseResult{Nix: []string{"lgpl21Plus"}, Source: LicenseFromText}},
		{name: "MPL 2.0", free: "MPL 2.0", want: LicenseResult{Nix: []string{"mpl20"}, Source: LicenseFromText}},
		{name: "PSF", free: "PSF", want: LicenseResult{Nix: []string{"psfl"}, Source: LicenseFromText}},
		{name: "ISC", free: "ISC license", want: LicenseResult{Nix: []string{"isc"}, Source: LicenseFromText}},
		{name: "Unlicense", free: "The Unlicense", want: LicenseResult{Nix: []string{"unlicense"}, Source: LicenseFromText}},
		{name: "SPDX in free text", free: "MIT OR Apache-2.0", want: LicenseResult{Nix: []string{"asl20", "mit"}, Source: LicenseFromText}},
		{name: "UNKNOWN", free: "UNKNOWN", want: LicenseResult{Unknown: true}},
		{name: "empty", want: LicenseResult{Unknown: true}},
		{name: "unrecognised text", free: "Do as you like, mostly", want: LicenseResult{Unknown: true}, noteHas: "not recognised"},

		// Whole license bodies.
		{name: "MIT body", free: mitBody, want: LicenseResult{Nix: []string{"mit"}, Source: LicenseFromText}},
		{name: "BSD-3 body", free: bsd3Body, want: LicenseResult{Nix: []string{"bsd3"}, Source: LicenseFromText}},
		{name: "BSD-2 body", free: bsd2Body, want: LicenseResult{Nix: []string{"bsd2"}, Source: LicenseFromText}},
		{name: "Apache body", free: apacheBody, want: LicenseResult{Nix: []string{"asl20"}, Source: LicenseFromText}},
		{name: "GPL-3 body alone is ambiguous", free: gpl3Body, want: LicenseResult{Unknown: true}, noteHas: "gpl3Only, gpl3Plus"},
		{name: "GPL-3 with or-later notice", free: gpl3PlusNotice, want: LicenseResult{Nix: []string{"gpl3Plus"}, Source: LicenseFromText}},
		{name: "LGPL-2.1 body", free: lgpl21Body, want: LicenseResult{Unknown: true}, noteHas: "lgpl21Only, lgpl21Plus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Licenses(tt.expr, tt.free, tt.classifiers)
			if tt.noteHas != "" {
				assert.Contains(t, got.Note, tt.noteHas)
			}
			got.Note = ""
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTextKey(t *testing.T) {
	for in, want := range map[string]string{
		"Apache License, Version 2.0": "apache2",
		"Apache-2":                    "apache2",
		"GNU GPL v3":                  "gnugpl3",
		"GPL-3.0-or-later":            "gpl3orlater",
		"LGPLv2.1+":                   "lgpl2.1+",
		"BSD (3-clause)":              "bsd3clause",
		"The MIT Licence (MIT)":       "mit",
		"CC0 1.0":                     "cc01",
	} {
		assert.Equal(t, want, textKey(in), in)
	}
}

var spdxVectors = []struct{ in, canonical string }{
	{"MIT", "MIT"},
	{"mit or apache-2.0", "mit OR apache-2.0"},
	{"(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause"},
	{"MIT OR Apache-2.0 AND BSD-3-Clause", "MIT OR Apache-2.0 AND BSD-3-Clause"},
	{"((MIT))", "MIT"},
	{"(MIT OR ISC) OR Zlib", "MIT OR ISC OR Zlib"},
	{"GPL-2.0+ WITH Classpath-exception-2.0", "GPL-2.0+ WITH Classpath-exception-2.0"},
	{"LicenseRef-Foo AND DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", "LicenseRef-Foo AND DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"},
	{"Apache-2.0\n  with LLVM-exception", "Apache-2.0 WITH LLVM-exception"},
}

func TestParseSPDX(t *testing.T) {
	for _, v := range spdxVectors {
		t.Run(v.in, func(t *testing.T) {
			e, err := parseSPDX(v.in)
			require.NoError(t, err)
			assert.Equal(t, v.canonical, e.String())
		})
	}
	for _, bad := range []string{"", "MIT AND", "AND MIT", "(MIT", "MIT)", "MIT Apache-2.0", "MIT WITH", "MIT WITH AND", "M!T", "(MIT) WITH X", "Foo:LicenseRef-x", "MIT++"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := parseSPDX(bad)
			assert.Error(t, err)
		})
	}
}

func FuzzParseSPDX(f *testing.F) {
	for _, v := range spdxVectors {
		f.Add(v.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseSPDX(s)
		if err != nil {
			return
		}
		canonical := e.String()
		again, err := parseSPDX(canonical)
		require.NoError(t, err, "canonical form %q of %q", canonical, s)
		assert.Equal(t, canonical, again.String())
		// Mapping must not depend on spelling (notes quote the input).
		r1, r2 := Licenses(s, "", nil), Licenses(canonical, "", nil)
		r1.Note, r2.Note = "", ""
		assert.Equal(t, r1, r2)
	})
}

func FuzzLicenses(f *testing.F) {
	f.Add("", "BSD", "License :: OSI Approved :: BSD License")
	f.Add("MIT", "", "")
	f.Add("", mitBody, "")
	f.Add("", gpl3PlusNotice, "License :: OSI Approved :: GNU General Public License (GPL)")
	f.Fuzz(func(t *testing.T, expr, free, classifier string) {
		r := Licenses(expr, free, []string{classifier})
		if r.Unknown {
			assert.Empty(t, r.Nix)
		} else {
			assert.NotEmpty(t, r.Nix)
			assert.NotEmpty(t, r.Source)
			assert.Equal(t, sortedUnique(r.Nix), r.Nix)
		}
	})
}

func BenchmarkLicenses(b *testing.B) {
	classifiers := []string{"Framework :: Django", "License :: OSI Approved :: BSD License", "Programming Language :: Python :: 3"}
	for b.Loop() {
		if r := Licenses("", bsd3Body, classifiers); r.Unknown {
			b.Fatal(r.Note)
		}
	}
}
