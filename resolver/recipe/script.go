package recipe

import (
	"fmt"
	"strings"
)

// command is one simple command of a postPatch script: its words and the
// script text it was read from.
type command struct {
	words []word
	text  string
}

// word is one shell word after quote removal; literal is false when it
// holds an expansion ($…, `…`) or a glob, whose value the script alone
// does not give.
type word struct {
	s       string
	literal bool
}

// parseScript splits a postPatch script into simple commands at unquoted
// newlines, ";", "&&" and "||", honouring '…' and "…" quotes, backslash
// escapes and line continuations. Comments and empty commands are dropped.
// It fails on an unterminated quote.
func parseScript(script string) ([]command, error) {
	var cmds []command
	var words []word
	var cur strings.Builder
	inWord, literal := false, true
	start := 0
	endWord := func() {
		if inWord {
			words = append(words, word{s: cur.String(), literal: literal})
		}
		cur.Reset()
		inWord, literal = false, true
	}
	endCommand := func(end int) {
		endWord()
		if len(words) > 0 {
			cmds = append(cmds, command{words: words, text: trimCommand(script[start:end])})
		}
		words = nil
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == '\\' && i+1 < len(script) && script[i+1] == '\n':
			i++ // continuation
		case c == '\\' && i+1 < len(script):
			cur.WriteByte(script[i+1])
			inWord = true
			i++
		case c == '\'':
			end := strings.IndexByte(script[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' quote at byte %d", i)
			}
			cur.WriteString(script[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case c == '"':
			j := i + 1
			for ; j < len(script) && script[j] != '"'; j++ {
				switch script[j] {
				case '\\':
					if j+1 < len(script) && strings.IndexByte("$`\"\\\n", script[j+1]) >= 0 {
						j++
						if script[j] != '\n' {
							cur.WriteByte(script[j])
						}
						continue
					}
				case '$', '`':
					literal = false
				}
				cur.WriteByte(script[j])
			}
			if j >= len(script) {
				return nil, fmt.Errorf("unterminated \" quote at byte %d", i)
			}
			inWord = true
			i = j
		case c == '#' && !inWord:
			for i < len(script) && script[i] != '\n' {
				i++
			}
			endCommand(i)
			start = i + 1
		case c == '\n' || c == ';':
			endCommand(i)
			start = i + 1
		case (c == '&' || c == '|') && i+1 < len(script) && script[i+1] == c:
			endCommand(i)
			i++
			start = i + 1
		case c == ' ' || c == '\t':
			endWord()
		default:
			if strings.IndexByte("$`*?[|&<>()", c) >= 0 {
				literal = false
			}
			cur.WriteByte(c)
			inWord = true
		}
	}
	endCommand(len(script))
	return cmds, nil
}

// trimCommand drops the blanks around a command's text, but not one that
// a backslash escapes.
func trimCommand(s string) string {
	s = strings.TrimLeft(s, " \t\n")
	for len(s) > 0 && strings.IndexByte(" \t\n", s[len(s)-1]) >= 0 {
		n := 0
		for i := len(s) - 2; i >= 0 && s[i] == '\\'; i-- {
			n++
		}
		if n%2 == 1 {
			break
		}
		s = s[:len(s)-1]
	}
	return s
}
