#ifndef GATEHOUSE_CNCURSESW_SHIM_H
#define GATEHOUSE_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Macros and globals Swift does not import (or rejects as shared mutable state). */
static inline WINDOW *gh_stdscr(void) { return stdscr; }
static inline int gh_lines(void) { return LINES; }
static inline int gh_cols(void) { return COLS; }
static inline int gh_colors(void) { return COLORS; }
static inline int gh_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t gh_a_bold(void) { return A_BOLD; }
static inline attr_t gh_a_reverse(void) { return A_REVERSE; }
static inline attr_t gh_a_underline(void) { return A_UNDERLINE; }
static inline attr_t gh_a_dim(void) { return A_DIM; }
static inline attr_t gh_a_normal(void) { return A_NORMAL; }
static inline int gh_key_resize(void) { return KEY_RESIZE; }
static inline int gh_set_locale(void) { return setlocale(LC_ALL, "") != NULL; }

/* Writes one cell: a wide string (one grapheme) with attributes and a colour pair. */
static inline int gh_put_cell(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}

#endif
