// ncursesw with wide characters; SwiftPM drops ncursesw.pc's -D flags, so they live here.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/ncurses.h>

// Macros and C globals that do not import into Swift 6 as safe values.
static inline WINDOW *ftle_stdscr(void) { return stdscr; }
static inline int ftle_cols(void) { return COLS; }
static inline int ftle_lines(void) { return LINES; }
static inline int ftle_colors(void) { return COLORS; }
static inline int ftle_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t ftle_a_bold(void) { return A_BOLD; }
static inline attr_t ftle_a_underline(void) { return A_UNDERLINE; }
static inline attr_t ftle_a_reverse(void) { return A_REVERSE; }
static inline attr_t ftle_a_dim(void) { return A_DIM; }
static inline attr_t ftle_a_normal(void) { return A_NORMAL; }
static inline int ftle_key_resize(void) { return KEY_RESIZE; }
static inline int ftle_key_mouse(void) { return KEY_MOUSE; }
static inline mmask_t ftle_button1_pressed(void) { return BUTTON1_PRESSED | BUTTON1_CLICKED; }
