/*
 * canon.h — canonical values for the name mentions of one article (part
 * of the entity module, see entity.h), so that "President Vladimir Putin",
 * "Putin" and "Putin's" are one facet value, "Vladimir Putin".
 *
 * Each mention's text is first cleaned on its own (px_canon_normalise):
 *  - whitespace (blanks, line breaks, no-break spaces) collapsed to one
 *    space and trimmed; quotes, brackets and , ; : around it dropped; a
 *    leading lower-case "the " dropped ("the World Bank");
 *  - a possessive dropped: "Okafor's", "Okafor’s" (U+2019) -> "Okafor",
 *    "Reuters'" -> "Reuters";
 *  - PER only, titles dropped, matched case-sensitively as news writes
 *    them, with or without a '.':
 *      honorifics, dropped even before a lone surname: Mr Mrs Ms Mx Miss
 *        Dr Prof Professor Sir Dame Rev Reverend Hon Mme Mlle;
 *      offices and ranks, dropped with the words before them when a name
 *        follows: President, Vice President, Prime Minister, Foreign
 *        Minister, Chancellor, Mayor, Senator/Sen., Governor/Gov.,
 *        Representative/Rep., General/Gen., Judge, Justice, CEO,
 *        Secretary of State, ... ("U.S. President Joe Biden" -> "Joe
 *        Biden"; at most the first five words are looked at);
 *      royal and religious titles (Pope King Queen Prince Princess Emperor
 *        Empress Lord Lady Sheikh Crown), dropped only before a name of
 *        two or more words not ending in a regnal number: "Prince Mohammed
 *        bin Salman" -> "Mohammed bin Salman", but "Pope Francis",
 *        "Queen Elizabeth II" and "Lady Gaga" stay whole, since the title
 *        is what tells those names apart.
 * Then, within the article (px_canon_resolve), short forms map to a longer
 * value of the same type when exactly one canonical value fits:
 *  - PER: a value whose words all appear, in order, in a longer value
 *    with the same last word: "Zelensky" and "Mr. Zelensky" -> "Volodymyr
 *    Zelensky", "Kamala Harris" -> "Kamala D. Harris". Order in the
 *    article does not matter (a headline names people by surname before
 *    the text gives the full name).
 *  - ORG: a leading run of a longer value's words ("Kasumi" -> "Kasumi
 *    Semiconductor"), a run of two or more words inside one, or an
 *    acronym of its capitalised words ("WHO", "W.H.O." -> "World Health
 *    Organization"; "of", "the", "for", "and" ... skipped).
 *  - If two longer values fit ("Okafor" with both "Amara Okafor" and
 *    "Chidi Okafor"), the short form stays as it is.
 * LOC, MISC and DATE values are only cleaned. The result depends on the
 * article's mentions only, never on order of calls or other articles.
 */
#ifndef PASSIM_CANON_H
#define PASSIM_CANON_H

#include <stddef.h>

#include "passim/entity.h"
#include "passim/status.h"

/* A facet key is at most this many bytes (px_canon_key). */
#define PX_CANON_KEY_MAX 200

typedef struct px_canon px_canon;

/* A new, empty set of mentions for one article. Caller owns *out; free
 * with px_canon_destroy(). */
px_status px_canon_create(px_canon **out);

/* Add the mentions found in one piece of the article's text (a block, the
 * title): each mention's text[start, end) is copied, so text and mentions
 * may go once this returns. *piece (may be NULL) receives the piece's
 * number, 0 for the first add, for px_canon_value(). PX_INVALID_ARGUMENT
 * for a mention outside text[0, len). */
px_status px_canon_add(px_canon *c, const char *text, size_t len,
                       const px_mentions *mentions, size_t *piece);

/* Work out the canonical value of every mention added so far. Adding more
 * afterwards needs another resolve. */
px_status px_canon_resolve(px_canon *c);

/* The canonical value of mention i of the given piece (borrowed, valid
 * until the next add or destroy); "" when nothing is left of it (a lone
 * "Mr."). NULL when out of range or not resolved. */
const char *px_canon_value(const px_canon *c, size_t piece, size_t i);

void px_canon_destroy(px_canon *c);

/* Clean one mention's text on its own, without the article (the first
 * list above), e.g. for a query's "person:President Putin". Caller owns
 * *out (NUL-terminated, possibly ""); free with free(). */
px_status px_canon_normalise(px_entity_type type, const char *s, size_t len,
                             char **out, size_t *out_len);

/* Whether a cleaned value names an office, not a holder: an office word
 * last or followed by a joiner ("Cabinet Secretary", "Minister of
 * Finance", "Cabinet Secretary for Health"). */
int px_canon_office_only(const char *value, size_t len);

/* A facet and term key for a value: folded as the tokenizer folds
 * characters (lower case, curly apostrophes straight), single spaces
 * kept, cut at a character boundary to at most PX_CANON_KEY_MAX bytes.
 * The indexer stores "XPER" + key. Caller owns *out; PX_ENCODING for
 * invalid UTF-8. */
px_status px_canon_key(const char *value, size_t len, char **out,
                       size_t *out_len);

#endif /* PASSIM_CANON_H */
