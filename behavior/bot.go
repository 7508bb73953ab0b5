package behavior

// botMarks are user-agent fragments, in lower case, of crawlers,
// monitors, link previews, headless browsers and HTTP libraries.
var botMarks = [...]string{
	"bot", "crawl", "spider", "slurp", "scrapy", "headless", "phantomjs", "lighthouse",
	"facebookexternalhit", "preview", "mediapartners-google", "feedfetcher", "pingdom",
	"uptime", "monitor", "curl/", "wget/", "python-requests", "python-urllib", "aiohttp",
	"go-http-client", "java/", "okhttp", "apache-httpclient", "node-fetch", "axios/",
	"libwww-perl", "httpie", "postman",
}

// IsBot reports whether a user agent looks like a bot's: empty, or holding
// a fragment typical of crawlers, monitors, link previews, headless
// browsers or HTTP libraries ("Googlebot", "curl/8.5", "HeadlessChrome").
// It is a heuristic: it errs towards calling scripts bots.
func IsBot(userAgent string) bool {
	if userAgent == "" {
		return true
	}
	for _, m := range botMarks {
		if containsFold(userAgent, m) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds lower, ignoring ASCII case; lower
// must be in lower case.
func containsFold(s, lower string) bool {
	n := len(lower)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for j < n && s[i+j]|asciiCase(s[i+j]) == lower[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

// asciiCase returns the bit that lowers an ASCII capital letter, else 0.
func asciiCase(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return 0x20
	}
	return 0
}
