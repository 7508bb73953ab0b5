package spool

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const benchBodyLen = 32 << 10

func BenchmarkAppend(b *testing.B) {
	s := openT(b, Options{Dir: b.TempDir()})
	meta, body := testMeta(0), testBody(0, benchBodyLen)
	b.SetBytes(int64(len(meta) + len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Append(meta, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendAck(b *testing.B) {
	s := openT(b, Options{Dir: b.TempDir()})
	meta, body := testMeta(0), testBody(0, benchBodyLen)
	b.SetBytes(int64(len(meta) + len(body)))
	b.ReportAllocs()
	for b.Loop() {
		id, err := s.Append(meta, body)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Ack(id); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	s := openT(b, Options{Dir: b.TempDir()})
	ids := appendN(b, s, 64, benchBodyLen)
	b.SetBytes(int64(len(testMeta(0)) + benchBodyLen))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _, err := s.Read(ids[i%len(ids)])
		require.NoError(b, err)
		i++
	}
}
