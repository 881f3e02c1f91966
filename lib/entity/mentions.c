/*
 * mentions.c — the growable list of mentions every entity step fills.
 */
#include "passim/entity.h"

#include <stdlib.h>

const char *
px_entity_type_name(px_entity_type type)
{
    static const char *const names[] = {"PER", "LOC", "ORG", "MISC", "DATE",
                                         "AUTHOR"};

    if ((unsigned)type >= PX_ENT_TYPES)
        return "?";
    return names[type];
}

px_status
px_mentions_add(px_mentions *list, px_entity_type type, size_t start,
                size_t end)
{
    if (list == NULL || start > end || (unsigned)type >= PX_ENT_TYPES)
        return PX_INVALID_ARGUMENT;
    if (list->count == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 16;
        px_mention *items = realloc(list->items, cap * sizeof *items);
        if (items == NULL)
            return PX_NOMEM;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count++] = (px_mention){type, start, end};
    return PX_OK;
}

void
px_mentions_free(px_mentions *list)
{
    if (list == NULL)
        return;
    free(list->items);
    list->items = NULL;
    list->count = list->cap = 0;
}
