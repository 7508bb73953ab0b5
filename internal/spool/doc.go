// Package spool is the durable on-disk queue behind o2kit's exporter: each
// sealed batch is appended before it is sent and acknowledged once the
// server accepted it, so nothing is lost across outages and crashes.
//
// [Open] locks a directory and recovers what an earlier run left there; the
// frames not yet acknowledged are listed by [Spool.Pending], oldest first.
// [Spool.Append] adds a frame and returns its id, [Spool.Read] reads it back,
// [Spool.Ack] marks it done, and [Spool.Close] releases the files and the
// lock. One goroutine typically appends while several senders read and
// acknowledge; every method is safe for concurrent use. Only an index of the
// pending frames (and the meta of those found by Open) is kept in memory,
// never their bodies.
//
// # Durability
//
// Each frame reaches the file with a single write(2) call, so once Append
// returns it survives the death of the process, even by SIGKILL; with
// [Options.Sync] it is also fsynced and survives power loss. Acknowledgements
// are not synced: after a power loss a frame may be delivered twice, never
// lost. Open never fails because of what the files contain: corrupt frames,
// torn tails and torn ack entries are skipped and reported to
// [Options.OnCorrupt] as [*CorruptError], and scanning resumes at the next
// valid frame header.
//
// # Directory layout
//
//	LOCK                        flock(2) held while the spool is open
//	00000000000000000001.seg    segment: frames in append order
//	00000000000000000001.ack    ids acknowledged in that segment
//	LASTID                      highest id handed out when segments were deleted
//
// Segment files are named by a 20-digit sequence number; the last one is the
// active segment, rotated once it passes [Options.SegmentBytes]. Open never
// appends to a segment left by an earlier run. An ack file is a sequence of
// 8-byte little-endian ids; an incomplete last entry is ignored and cut off.
// A segment whose frames are all acknowledged is deleted with its ack file,
// the segment first. LASTID holds a little-endian uint64 and its CRC-32C,
// and is replaced by renaming, so that ids keep increasing when every
// segment has been deleted.
//
// # Frame format
//
// All integers are little-endian.
//
//	offset  size  field
//	0       4     magic "O2SP"
//	4       1     version, 1
//	5       3     reserved, zero
//	8       8     id, above zero and above the previous frame's id
//	16      4     meta length, at most 1 MiB
//	20      4     body length; the whole frame is at most 1 GiB
//	24      4     CRC-32C (Castagnoli) of bytes 0–23, then meta, then body
//	28            meta, then body
//
// A frame is valid when its header is well-formed, it ends within the file,
// its checksum matches and its id is above the previous valid frame's.
package spool
