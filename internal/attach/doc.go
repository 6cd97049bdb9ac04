// Package attach reads the text out of attachments, so that confidential
// terms, personal data and the names of companies and people are checked in
// what actually leaves, not only in the body.
//
// It reads Office Open XML (.docx body, headers, footers, footnotes,
// endnotes and comments; .xlsx shared strings, inline cells and printed
// headers and footers; .pptx slides and speaker notes), OpenDocument
// (.odt, .ods, .odp content.xml, and the page headers and footers of
// styles.xml), PDF text, RTF, HTML, plain text in UTF-8, UTF-16 (with a
// byte order mark), Shift_JIS, EUC-JP and ISO-2022-JP, forwarded messages
// (message/rfc822, .eml, read through package mail, recursively) and .zip
// archives, nested.
// It tells encrypted attachments apart (a password-protected ZIP entry, an
// Office file saved with a password, a PDF with an /Encrypt dictionary):
// the PPAP habit of sending the password in the next mail. It reads the
// Microsoft Purview sensitivity labels of Office files (MSIP_Label_*
// custom properties, docMetadata/LabelInfo.xml); what a label means is
// the policy's, and package label judges it.
//
// Every read is bounded (Limits): nesting depth, archive entries,
// expansion ratio, bytes decompressed per file and in total, text kept, and
// time. An attachment that breaks a limit, is damaged or of a kind it does
// not read gets a Problem with a reason word, never a panic or unbounded
// memory; what could be read up to then is kept.
//
// It deliberately does not: decrypt anything or guess passwords; render
// documents or keep their layout (text comes out in reading order as the
// file stores it, one paragraph, cell or slide line per line); run OCR on
// images or scanned PDFs; read the legacy binary Office formats (.doc,
// .xls, .ppt), 7z, RAR or LZH (they are "unsupported"); decode PDF fonts
// without a ToUnicode map beyond Latin-1, or PDF streams compressed other
// than with Flate. The PDF reader is a small one written for this job: it
// follows the page tree, decompresses Flate content streams and reads the
// text-showing operators (Tj, TJ, ', "), mapping codes through the fonts'
// ToUnicode CMaps. Images, audio and video carry no text to read and are
// passed over without a problem.
//
// Files are split by job: attach.go (limits, results, the dispatch by
// kind), message.go (filling mail attachments), zip.go, ooxml.go, odf.go,
// xmltext.go (the fast XML text scanner both use), wordml.go (a Word
// body's text in one pass), label.go, pdf.go, rtf.go, charset.go, eml.go.
package attach
