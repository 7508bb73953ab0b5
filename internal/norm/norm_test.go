package norm

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestStreamName(t *testing.T) {
	for in, want := range map[string]string{
		"application-logs":         "application_logs",
		"My-App.Logs":              "my_app_logs",
		"a--b":                     "a_b",
		"****":                     "_",
		"ns:stream":                "ns:stream",
		"stream-name with spaces!": "stream_name_with_spaces_",
		"日志-logs":                  "_logs",
		"ok_1":                     "ok_1",
	} {
		assert.Equal(t, want, StreamName(in), in)
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"Hello!World@123#": "hello_world_123_",
		"test.key-here":    "test_key_here",
		"hello世界":          "hello__",
		"@timestamp":       "_timestamp",
		"firstName":        "firstname",
		"key+bar":          "key_bar",
		"ÄÖü":              "äöü",
		"a b":              "a_b",
		"":                 "",
		"x\xffy":           "x_y",
		"数字٣":              "__٣",
	} {
		assert.Equal(t, want, Key(in), in)
		assert.True(t, IsKey(Key(in)), "normalised %q must be stable", in)
		assert.Equal(t, Key(in), Key(Key(in)))
	}
}

func TestAppendKeyDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		buf = AppendKey(buf[:0], "Order.Amount-Minor")
	})
	assert.Zero(t, allocs)
	assert.Equal(t, "order_amount_minor", string(buf))
}

func TestTimestampMicros(t *testing.T) {
	const us = int64(1_700_000_000_000_000)
	assert.Equal(t, us, TimestampMicros(1_700_000_000))
	assert.Equal(t, us, TimestampMicros(1_700_000_000_000))
	assert.Equal(t, us, TimestampMicros(us))
	assert.Equal(t, us, TimestampMicros(us*1000))
	assert.Zero(t, TimestampMicros(0))
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"a", "Hello!World", "hello世界", "\xff", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, k string) {
		n := Key(k)
		if IsKey(k) && n != k {
			t.Fatalf("Key changed the normalised key %q to %q", k, n)
		}
		for _, r := range n {
			if r < 0x80 && !isKeyByte(byte(r)) {
				t.Fatalf("Key(%q) = %q keeps ASCII %q", k, n, r)
			}
		}
		if Key(n) != n {
			t.Fatalf("Key is not idempotent on %q", k)
		}
		s := StreamName(k)
		if StreamName(s) != s {
			t.Fatalf("StreamName is not idempotent on %q", k)
		}
	})
}

func TestSameKey(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"service", "service", true},
		{"Service", "service", true},
		{"order-id", "ORDER_ID", true},
		{"a.b", "a@b", true},
		{"host", "http", false},
		{"service", "services", false},
		{"服务", "服务", true},
		{"Ünit", "ünit", true},
		{"hello世界", "hello__", true}, // Key turns letters without case into _
		{"a·b", "a_b", true},
		{"", "", true},
		{"", "_", false},
	} {
		assert.Equal(t, c.same, SameKey(c.a, c.b), "%q %q", c.a, c.b)
		assert.Equal(t, c.same, SameKey(c.b, c.a), "%q %q", c.b, c.a)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = SameKey("Order-ID", "order_id") }))
}

func FuzzSameKey(f *testing.F) {
	f.Add("Service", "service")
	f.Add("a·b", "a_b")
	f.Add("\xff", "_")
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := SameKey(a, b), Key(a) == Key(b); got != want {
			t.Fatalf("SameKey(%q, %q) = %v, Key says %v (%q, %q)", a, b, got, want, Key(a), Key(b))
		}
	})
}
