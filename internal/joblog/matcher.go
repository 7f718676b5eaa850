package joblog

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// maxRules is how many rules a ruleMask can hold.
const maxRules = 128

// ruleMask is a set of rule indexes.
type ruleMask [maxRules / 64]uint64

func (m *ruleMask) set(i int)            { m[i>>6] |= 1 << (i & 63) }
func (m *ruleMask) has(i int) bool       { return m[i>>6]&(1<<(i&63)) != 0 }
func (m *ruleMask) or(o *ruleMask)       { m[0] |= o[0]; m[1] |= o[1] }
func (m *ruleMask) any(o *ruleMask) bool { return m[0]&o[0] != 0 || m[1]&o[1] != 0 }
func (m *ruleMask) isZero() bool         { return m[0]|m[1] == 0 }

// keyword is one compiled keyword of a rule.
//
// Keyword syntax: a lower-case literal, matched with ASCII case ignored.
// A leading "^" asks for the literal at the start of the line, after any
// indentation; a leading or trailing `\b` asks for a word boundary there
// (the neighbouring byte is not a letter, a digit or '_').
type keyword struct {
	text      string // the literal, lower case
	rule      int
	anchor    int  // offset in text of the bytes the prefilter looks for
	lineStart bool // "^"
	wordStart bool // leading `\b`
	wordEnd   bool // trailing `\b`
}

// parseKeyword reads the keyword syntax. Keywords not bound to the start of
// the line need minLen bytes.
func parseKeyword(s string, rule, minLen int) (keyword, error) {
	k := keyword{rule: rule}
	if strings.HasPrefix(s, "^") {
		k.lineStart, s = true, s[1:]
	}
	if strings.HasPrefix(s, `\b`) {
		k.wordStart, s = true, s[2:]
	}
	if strings.HasSuffix(s, `\b`) {
		k.wordEnd, s = true, s[:len(s)-2]
	}
	switch {
	case strings.ToLower(s) != s:
		return k, fmt.Errorf("keyword %q is not lower case", s)
	case len(s) == 0 || len(s) < minLen && !k.lineStart:
		return k, fmt.Errorf("keyword %q is too short: %d bytes, or 1 at the start of the line", s, minLen)
	}
	k.text = s
	if !k.lineStart {
		k.anchor = rarestRun(s, minLen-2)
	}
	return k, nil
}

// pairFreq estimates how often two adjacent bytes occur in CI logs: entry
// 29*x+y holds, in base 36, twice the base-2 logarithm of the frequency per
// million of the byte classes x then y (a-z with case folded, space, digit,
// any other byte), measured on a corpus of real CI logs with ANSI removed.
// It breaks ties between keyword anchors of equal rank.
const pairFreq = "" +
	"eknmegk9k7goln7l5onoimdfhckklkefdkce8in7kbciaaghdm87bi9ijnncidmc9mh5mjg9pg7jioj97be7ijm" +
	"kfeiofe9mabhecle7fhgi999d5nkomjpojkibkebmnofkhqpngihnh8ojqkcceihe5m47iabma8ifhj685d4ijj" +
	"ecdbmafhl74gbhid6kidg7727bpcmkdcbm838j58fb8mf7hdlk964a2kckilkkjjk585ennrnjbjnobl8g6fehi" +
	"h489n744933865h786g4eb73734achf8bkadcj86cadc989hcc9f385kalndclod98o5amcame2bkkli95h6ldm" +
	"mlbhof68k7aghfnmcckch966c6kfolclnmkqblagjdilibbmojk96f7ngojnlkfji8femlopjk5oknmikg98kfm" +
	"maegm9bhj5akeblj5mklkac7h3igk34754654523d7457a86bj4427799eogjhqgjbm9hhikne4jmlmiabi5mcn" +
	"idldodeln6hhdfljfjmpjcf7j7oerocigqhbnp88iicnl6nomjdfck8olpilggkeh6l29ljobj2kmm8b4g47ffi" +
	"k995n673o456ebe527d86563c4eggk989h89hk36b7jh89ff875e644f9gd7e9ia87h97fg78h39bk776ca7hfk" +
	"d9aae785ca7cffei7cig787866kdlb346f448h248649334857544a8eadnlommnklmfglnlomdmnolkleebwrt" +
	"kjjkjjbb9ccaha9f9ajff99cbfqwummommmmmnjgmmnmneppplkkhdhutx"

func byteClass(c byte) int {
	c |= 0x20
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c == ' ':
		return 26
	case c >= '0' && c <= '9':
		return 27
	}
	return 28
}

// pairCost is how common the pair a, b is, from 0 (never seen) to 35.
func pairCost(a, b byte) int {
	d := pairFreq[byteClass(a)*29+byteClass(b)]
	if d <= '9' {
		return int(d - '0')
	}
	return int(d-'a') + 10
}

// pairOf is the key of two adjacent bytes, both ORed with 0x20, which maps
// upper-case ASCII letters to lower case (and confuses a few punctuation
// bytes, which only costs a verification).
func pairOf(a, b byte) uint16 { return uint16(a|0x20) | uint16(b|0x20)<<8 }

// commonTriples holds the most frequent three-byte sequences of real CI
// logs (ANSI and section markers removed, each byte ORed with 0x20 as the
// prefilter folds them), the most frequent first. A keyword is anchored on
// three bytes outside this list when it has some.
const commonTriples = "" +
	"   ===...ingng   -ects: :  com% (ion-reestjecobj co)  bje obtests: -rg octs---tratioe: tinresed " +
	"0.0emostaremote: cvisithte:motavi inverctirunravteressateompuntvinerslinprecalrecfor 0.httttpted" +
	".coomeme/ati re tegite/tseroun de okall rualasca/trreatexntivim (1extandom/enthomilesinor is/con" +
	" ht ex/hoon ssiack://uilbui - thetimildpro  1inf/tethucouhub mbnfoeceb.cub.checeieivimen   palib" +
	"er  todines g: onsins seivi foms  lisiotpsps:s:/nst msamefilail 20taracttalnteist  0 noin  thuse" +
	".00rat201nvipecpacmprnamiveendun ageok s oodeasedowto ownposok-getnd  wi/bu } ', arn/gist ###wit" +
	"art  }rsi' 'war/10.0.blests),  = g ddel{ r miloa  2 --{in ..-- defrom//gint prdatesoead10 errhe " +
	"toroad (2asso} abl dofo}at ninm/nper/re us/nv fith parlat.scsetle inespebasare ' putsol ',ng:, '" +
	"ld/ /h/m/ ven/1 10/n/s/bon-tas ant1/|t1ndenot. hadistegravalvenund stolvindracstrfromb/uncdepk  " +
	"eckb--ll lanst/heccolrrois mb-syseltrord: erv, :.. cat  3oreltafunlesleclvifinockxtrout  5  4usr" +
	"typypeerese  bunloherdisoneas:eraernerttabwnl (3 naces0% } texpove1) im-iteed-appre  at{}{}{}ult" +
	"ilsdocg taddner (0100  6om bunkin  7 fr==-trua   ons,  poortworrinndolasorg0.1exe+    8la s/t/li" +
	"nct  9rep: e isostsedininalhars (t: rvesha00 nt patopeder unal triantangt sib/er.8)  ad bees/ gi" +
	"ts roueleuteorkave/? ckere/han farteplepenredptitivim/: mys berst.r  te -inen ot ret(0.lle/scmen" +
	"modequit achseccod/coull/geont of me: n/ru..- + railogs/ngro vafai, {->  ->flaureenc4) m/mckapor" +
	", psr 1.1000of chaett mampi di\",  { : 1pilkagsrcckiex/me:5% ataommm/g}|ttch 1.== {}|locne > 0 a " +
	"lue.0  trut dirqueighalu whlli9) ls/019t f (4rc/ chrn/rniademplefi/ma  atat: dathormreft c: /mbe" +
	"2) enewebe clis (eigr wa{wa6% ecocregess =bin cl2% matmib/ra3% arg0) manet 7% 8% sone t6 mrenn: " +
	"genntu4% 1% .1.1/pavainp, fide:st caledkey flecu/pteataulubume tm/9% 5) ptm1.0efa ==3) fauaramig" +
	"inc sualsinupasran | s fs tde ncemapten9 m- rellnpucce= 2s a/zist-e aethtopmesmavourthozi4 (5ct " +
	"eves/r4/muni syashdeb|n ghtdle1/zakewhet treqginon:ssei4/cte/shruelerer-7) leafalnit(em 0 mincla" +
	"tro (sn} irenuxbsendle se ieritemle.nodrcege emp2.1ns tooili0 -xectlaluaer:8 md pr: .shrn} mosh " +
	" scnneainold.or cuaridedscrm/rngskeran -li-coa: .rb loemb.deoptld ialrg/s)- fuecaetejavautritby " +
	".0-la/e=\"0 sacepancorg ccur nexpee,  byseled:medsho 11 (6etrtre  c dabugttee f6) es- 12cut ha?  "

// tripleRank is how common a folded triple is: 0 when it is not in
// commonTriples, larger for more frequent ones.
var tripleRank = func() map[[3]byte]int {
	m := make(map[[3]byte]int, len(commonTriples)/3)
	n := len(commonTriples) / 3
	for i := 0; i < n; i++ {
		t := [3]byte{commonTriples[3*i], commonTriples[3*i+1], commonTriples[3*i+2]}
		if _, ok := m[t]; !ok {
			m[t] = n - i
		}
	}
	return m
}()

// rarestRun returns the offset of the least common run of width+2 bytes of
// s, judged by its width+1 triples: by their rank among the common triples,
// then by the cost of their pairs.
func rarestRun(s string, width int) int {
	cost := func(i int) int {
		t := [3]byte{s[i] | 0x20, s[i+1] | 0x20, s[i+2] | 0x20}
		return tripleRank[t]*100 + pairCost(s[i], s[i+1]) + pairCost(s[i+1], s[i+2])
	}
	best, bestCost := 0, 1<<30
	for i := 0; i+width+2 <= len(s); i++ {
		c := 0
		for j := 0; j < width; j++ {
			c = max(c, cost(i+j))
		}
		if c < bestCost {
			best, bestCost = i, c
		}
	}
	return best
}

// tripleHash maps the three low bytes of x, already ORed with 0x20, to a
// bit of the prefilter.
func tripleHash(x uint32) uint32 { return (x & 0xffffff) * 0x9E3779B1 >> (32 - tripleBits) }

const tripleBits = 17

func tripleAt(b string) uint32 {
	return (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16) | 0x202020
}

// keywordMatcher finds, in one pass over a line, which rules have one of
// their keywords in it.
//
// A bit set hashed from three bytes (each ORed with 0x20, which folds ASCII
// case) says where a keyword may be. Each keyword is represented by its
// rarest run of stride+2 bytes, and all stride triples of that run are in
// the set, so testing every stride-th position of the line finds the run.
// Only where a bit is set are keywords compared. Most lines wake no
// comparison at all, and the pass over them is a few table tests per 8
// bytes, with no dependency from one byte to the next. Keywords bound to the
// start of the line are looked up once per line, by the byte that starts it.
type keywordMatcher struct {
	stride  int
	bits    [1 << tripleBits / 64]uint64 // tripleHash -> some keyword may be there
	first   [buckets + 1]uint16          // bucket b holds entries[first[b]:first[b+1]]
	entries []entry
	starts  [256]bool // a line-start keyword begins with this byte (folded)
	lineKws []uint16  // the line-start keywords
	kws     []keyword
}

// entry says that keyword kw has a triple hashing to hash at offset off.
type entry struct {
	hash uint32
	kw   uint16
	off  uint16
}

const buckets = 1024

func bucketOf(h uint32) int { return int(h & (buckets - 1)) }

// newKeywordMatcher builds the matcher of keywords parsed with minLen 4
// (stride 2) or 3 (stride 1).
func newKeywordMatcher(kws []keyword, minLen int) *keywordMatcher {
	km := &keywordMatcher{kws: kws, stride: minLen - 2}
	var lists [buckets][]entry
	for i, k := range kws {
		if k.lineStart {
			km.starts[k.text[0]|0x20] = true
			km.lineKws = append(km.lineKws, uint16(i))
			continue
		}
		for j := 0; j < km.stride; j++ {
			off := k.anchor + j
			h := tripleHash(tripleAt(k.text[off:]))
			km.bits[h>>6] |= 1 << (h & 63)
			lists[bucketOf(h)] = append(lists[bucketOf(h)], entry{h, uint16(i), uint16(off)})
		}
	}
	for b, l := range lists {
		km.first[b] = uint16(len(km.entries))
		km.entries = append(km.entries, l...)
	}
	km.first[buckets] = uint16(len(km.entries))
	return km
}

// scan returns the rules that have a keyword in line.
func (km *keywordMatcher) scan(line []byte) ruleMask {
	var m ruleMask
	n := len(line)
	s := 0
	for s < n && (line[s] == ' ' || line[s] == '\t') {
		s++
	}
	if s < n && km.starts[line[s]|0x20] {
		for _, ki := range km.lineKws {
			km.check(line, s, &km.kws[ki], &m)
		}
	}
	if km.stride == 2 {
		km.scan2(line, &m)
	} else {
		km.scan1(line, &m)
	}
	return m
}

// load8 returns the 8 bytes of line at i, padded with spaces past its end,
// ORed with 0x20.
func load8(line []byte, i int) uint64 {
	var x uint64
	if i+8 <= len(line) {
		x = binary.LittleEndian.Uint64(line[i:])
	} else {
		var pad [8]byte
		copy(pad[:], line[i:])
		x = binary.LittleEndian.Uint64(pad[:])
	}
	return x | 0x2020202020202020
}

// scan2 tests the triples at even offsets: three per 8-byte load.
func (km *keywordMatcher) scan2(line []byte, m *ruleMask) {
	bits := &km.bits
	for i := 0; i+2 < len(line); i += 6 {
		x := load8(line, i)
		h0, h1, h2 := tripleHash(uint32(x)), tripleHash(uint32(x>>16)), tripleHash(uint32(x>>32))
		if bits[h0>>6]&(1<<(h0&63))|bits[h1>>6]&(1<<(h1&63))|bits[h2>>6]&(1<<(h2&63)) != 0 {
			for j, h := range [3]uint32{h0, h1, h2} {
				if bits[h>>6]&(1<<(h&63)) != 0 {
					km.verify(line, i+2*j, h, m)
				}
			}
		}
	}
}

// scan1 tests the triples at every offset: six per 8-byte load.
func (km *keywordMatcher) scan1(line []byte, m *ruleMask) {
	bits := &km.bits
	for i := 0; i+2 < len(line); i += 6 {
		x := load8(line, i)
		for j := 0; j < 6; j++ {
			if h := tripleHash(uint32(x >> (8 * j))); bits[h>>6]&(1<<(h&63)) != 0 {
				km.verify(line, i+j, h, m)
			}
		}
	}
}

// verify compares the keywords that have a triple hashing to h with the
// line at i.
func (km *keywordMatcher) verify(line []byte, i int, h uint32, m *ruleMask) {
	b := bucketOf(h)
	for _, e := range km.entries[km.first[b]:km.first[b+1]] {
		if e.hash == h {
			km.check(line, i-int(e.off), &km.kws[e.kw], m)
		}
	}
}

// check records k's rule when k's text is at line[s:] with its boundaries.
func (km *keywordMatcher) check(line []byte, s int, k *keyword, m *ruleMask) {
	e := s + len(k.text)
	if s < 0 || e > len(line) || m.has(k.rule) || !equalFold(line[s:e], k.text) {
		return
	}
	if k.wordStart && s > 0 && isWordByte(line[s-1]) || k.wordEnd && e < len(line) && isWordByte(line[e]) {
		return
	}
	if k.lineStart && !isIndent(line[:s]) {
		return
	}
	m.set(k.rule)
}

// equalFold reports whether b equals the lower-case s with ASCII case
// ignored.
func equalFold(b []byte, s string) bool {
	for i := 0; i < len(s); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// isIndent reports whether b holds only spaces and tabs.
func isIndent(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}
