/* The cells of one worksheet part, scanned by expat at C speed.

   `scan(data, elements, cells, rows, max_text, max_formula)` reads a sheet's XML the way
   iki_xlsx/workbook/read.py's streaming reader does, but only for the regular shape every
   spreadsheet client writes: one sheetData under the root, rows in it, cells in rows, at most
   one <v> and one <f> in a cell, cell references given and in increasing order, no inline
   strings. For such a part it returns (cells, elements, cells_met, rows): `cells` a list of
   (ref, type or None, formula text or None, stored text or None, shared index or None) for
   every cell that holds something, in document order, and the numbers of elements, cells and
   rows met; a stored number of the plain form comes as a float already (as
   angka.parse_stored reads it). For anything else (an XML error, a DTD, an unusual shape, a limit reached, an
   unknown encoding) it returns None, and the Python reader reads the part from the start and
   decides: every finding and message comes from one place.

   Nothing here trusts the part: the budgets are the workbook's remaining limits, the text of
   a value or formula is bounded while it arrives, and a DTD stops the parse at once. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <expat.h>
#include <math.h>
#include <string.h>

#define EXCEL_MAX 9.99999999999999e307  /* angka.EXCEL_MAX */

#define MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#define MAIN_LEN (sizeof(MAIN) - 1)

enum kind { K_OTHER, K_SHEET_DATA, K_ROW, K_C, K_V, K_F, K_IS, K_T };
enum place { OUTSIDE, IN_SHEET_DATA, IN_ROW, IN_CELL, IN_VALUE, IN_FORMULA, AFTER };

/* What both parses share, the first member of Scan and of Strings (so that the handlers below
   serve either): the parser, whether it was stopped and why, and the text of the element
   being read, its characters counted against a limit while it arrives. */
typedef struct {
    XML_Parser parser;
    int declined;          /* irregular or a limit reached: the Python reader decides */
    int failed;            /* a Python error (memory) is set */
    char *text;
    size_t text_len, text_cap;
    Py_ssize_t text_chars, text_limit;
} Parse;

static void decline(Parse *p) {
    p->declined = 1;
    XML_StopParser(p->parser, XML_FALSE);
}

static void fail(Parse *p) {
    p->failed = 1;
    XML_StopParser(p->parser, XML_FALSE);
}

/* Whether the parse was stopped (expat may call a handler once more after that). */
static int stopped(const Parse *p) {
    return p->declined || p->failed;
}

/* `len` bytes of UTF-8 added to the text, declined when it grows past its limit. */
static void add_text(Parse *p, const XML_Char *text, int len) {
    for (int i = 0; i < len; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80) {
            p->text_chars += 1;
        }
    }
    if (p->text_chars > p->text_limit) {
        decline(p);
        return;
    }
    if (p->text_len + (size_t)len > p->text_cap) {
        size_t cap = p->text_cap ? p->text_cap : 256;
        while (cap < p->text_len + (size_t)len) {
            cap *= 2;
        }
        char *grown = PyMem_Realloc(p->text, cap);
        if (grown == NULL) {
            PyErr_NoMemory();
            fail(p);
            return;
        }
        p->text = grown;
        p->text_cap = cap;
    }
    memcpy(p->text + p->text_len, text, (size_t)len);
    p->text_len += (size_t)len;
}

static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal) {
    (void)name; (void)sysid; (void)pubid; (void)has_internal;
    decline((Parse *)data);
}

static void XMLCALL on_entity(void *data, const XML_Char *name, int is_parameter,
                              const XML_Char *value, int value_length, const XML_Char *base,
                              const XML_Char *system_id, const XML_Char *public_id,
                              const XML_Char *notation) {
    (void)name; (void)is_parameter; (void)value; (void)value_length; (void)base;
    (void)system_id; (void)public_id; (void)notation;
    decline((Parse *)data);
}

/* Parse all of `data` with a namespace-aware parser refusing DTDs and entities, the handlers
   given and `p` (the first member of what they take) as their data; the parser and the text
   are freed after. 1 when the parse ran to its end, 0 when it stopped or met an error, -1 with
   a Python error set when no parser could be made. */
static int run(Parse *p, const Py_buffer *data, XML_StartElementHandler start,
               XML_EndElementHandler end, XML_CharacterDataHandler text) {
    p->parser = XML_ParserCreateNS(NULL, '}');
    if (p->parser == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    XML_SetUserData(p->parser, p);
    XML_SetParamEntityParsing(p->parser, XML_PARAM_ENTITY_PARSING_NEVER);
    XML_SetElementHandler(p->parser, start, end);
    XML_SetCharacterDataHandler(p->parser, text);
    XML_SetStartDoctypeDeclHandler(p->parser, on_doctype);
    XML_SetEntityDeclHandler(p->parser, on_entity);
    /* the handlers make Python objects, so the parse holds the interpreter's lock */
    enum XML_Status status = XML_Parse(p->parser, (const char *)data->buf, (int)data->len,
                                       XML_TRUE);
    XML_ParserFree(p->parser);
    PyMem_Free(p->text);
    p->text = NULL;
    return status == XML_STATUS_OK && !stopped(p);
}

typedef struct {
    Parse p;
    Py_ssize_t elements, cells, rows;        /* what is left of each budget */
    Py_ssize_t elements_met, cells_met, rows_met;
    Py_ssize_t max_text, max_formula;
    long depth, sheet_data_depth, row_depth, cell_depth;
    enum place place;
    /* the cell being read */
    char ref[12];
    long last_row, last_column;              /* the cell before it, for the order */
    PyObject *type;        /* its t attribute, or NULL */
    PyObject *formula;     /* the formula's text, or NULL when it has no <f> */
    PyObject *value;       /* the stored value, or NULL when it has no <v> */
    int value_final;       /* the value is read as read.py reads it (else Python reads it) */
    PyObject *shared;      /* the si of a shared formula, or NULL */
    PyObject *strings;     /* the workbook's shared strings (a list) */
    PyObject *no_value;    /* read.NO_VALUE */
    PyObject *cells_out;   /* ref -> (formula shown, value), in document order */
    PyObject *pending;     /* cells Python finishes */
} Scan;

static PyObject *TYPES[6];  /* "s", "str", "n", "b", "e", "inlineStr", kept once */
static const char *TYPE_NAMES[6] = {"s", "str", "n", "b", "e", "inlineStr"};

static enum kind kind_of(const XML_Char *name) {
    if (strncmp(name, MAIN, MAIN_LEN) != 0) {
        return K_OTHER;
    }
    const char *local = name + MAIN_LEN;
    switch (local[0]) {
    case 'c': return local[1] == '\0' ? K_C : K_OTHER;
    case 'v': return local[1] == '\0' ? K_V : K_OTHER;
    case 'f': return local[1] == '\0' ? K_F : K_OTHER;
    case 't': return local[1] == '\0' ? K_T : K_OTHER;
    case 'r': return strcmp(local, "row") == 0 ? K_ROW : K_OTHER;
    case 'i': return strcmp(local, "is") == 0 ? K_IS : K_OTHER;
    case 's': return strcmp(local, "sheetData") == 0 ? K_SHEET_DATA : K_OTHER;
    default: return K_OTHER;
    }
}

static const XML_Char *attribute(const XML_Char **attrs, const char *name) {
    for (; attrs[0] != NULL; attrs += 2) {
        if (strcmp(attrs[0], name) == 0) {
            return attrs[1];
        }
    }
    return NULL;
}

/* A row number as read.py accepts it: ASCII digits, at most 7, from 1 to 1,048,576. */
static int valid_row(const char *given) {
    size_t n = strlen(given);
    if (n == 0 || n > 7) {
        return 0;
    }
    long number = 0;
    for (size_t i = 0; i < n; i++) {
        if (given[i] < '0' || given[i] > '9') {
            return 0;
        }
        number = number * 10 + (given[i] - '0');
    }
    return number > 0 && number <= 1048576;
}

/* A cell reference as read.py accepts it without help: [A-Z]{1,3}[1-9][0-9]{0,6}. */
static int parse_ref(const char *given, long *row, long *column) {
    size_t n = strlen(given), i = 0;
    long col = 0, r = 0;
    if (n > 10) {
        return 0;
    }
    while (i < n && given[i] >= 'A' && given[i] <= 'Z') {
        col = col * 26 + (given[i] - 'A' + 1);
        i++;
    }
    if (i == 0 || i > 3 || i == n || given[i] == '0') {
        return 0;
    }
    size_t digits = n - i;
    if (digits > 7) {
        return 0;
    }
    for (; i < n; i++) {
        if (given[i] < '0' || given[i] > '9') {
            return 0;
        }
        r = r * 10 + (given[i] - '0');
    }
    *row = r;
    *column = col;
    return 1;
}

static PyObject *type_object(const char *given) {
    for (int i = 0; i < 6; i++) {
        if (strcmp(given, TYPE_NAMES[i]) == 0) {
            Py_INCREF(TYPES[i]);
            return TYPES[i];
        }
    }
    return PyUnicode_DecodeUTF8(given, (Py_ssize_t)strlen(given), NULL);
}

static void clear_cell(Scan *s) {
    s->value_final = 0;
    Py_CLEAR(s->type);
    Py_CLEAR(s->formula);
    Py_CLEAR(s->value);
    Py_CLEAR(s->shared);
}

static void start_cell(Scan *s, const XML_Char **attrs) {
    s->cells -= 1;
    s->cells_met += 1;
    if (s->cells < 0) {
        decline(&s->p);
        return;
    }
    const char *given = attribute(attrs, "r");
    long row, column;
    if (given == NULL || !parse_ref(given, &row, &column)) {
        decline(&s->p);
        return;
    }
    if (row < s->last_row || (row == s->last_row && column <= s->last_column)) {
        decline(&s->p);  /* out of order or repeated: read.py's rules for that apply */
        return;
    }
    s->last_row = row;
    s->last_column = column;
    strcpy(s->ref, given);
    const char *type = attribute(attrs, "t");
    if (type != NULL) {
        s->type = type_object(type);
        if (s->type == NULL) {
            fail(&s->p);
        }
    }
}

static int start_text(Scan *s, Py_ssize_t limit, int formula) {
    s->p.text_len = 0;
    s->p.text_chars = 0;
    s->p.text_limit = limit;
    if (formula) {  /* a formula is kept as shown: "=" and its text */
        if (s->p.text_cap == 0) {
            s->p.text = PyMem_Malloc(256);
            if (s->p.text == NULL) {
                PyErr_NoMemory();
                return 0;
            }
            s->p.text_cap = 256;
        }
        s->p.text[0] = '=';
        s->p.text_len = 1;
    }
    return 1;
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attrs) {
    Scan *s = (Scan *)data;
    if (stopped(&s->p)) {  /* expat may call once more after it was stopped */
        return;
    }
    s->depth += 1;
    s->elements -= 1;
    s->elements_met += 1;
    if (s->elements < 0) {
        decline(&s->p);
        return;
    }
    enum kind kind = kind_of(name);
    switch (kind) {
    case K_OTHER:
        if (s->place == IN_CELL || s->place == IN_VALUE || s->place == IN_FORMULA) {
            decline(&s->p);
        }
        return;
    case K_SHEET_DATA:
        if (s->place != OUTSIDE || s->depth != 2) {
            decline(&s->p);
            return;
        }
        s->place = IN_SHEET_DATA;
        s->sheet_data_depth = s->depth;
        return;
    case K_ROW: {
        if (s->place != IN_SHEET_DATA || s->depth != s->sheet_data_depth + 1) {
            decline(&s->p);
            return;
        }
        s->rows -= 1;
        s->rows_met += 1;
        const char *given = attribute(attrs, "r");
        if (s->rows < 0 || (given != NULL && !valid_row(given))) {
            decline(&s->p);
            return;
        }
        s->place = IN_ROW;
        s->row_depth = s->depth;
        return;
    }
    case K_C:
        if (s->place != IN_ROW || s->depth != s->row_depth + 1) {
            decline(&s->p);
            return;
        }
        s->place = IN_CELL;
        s->cell_depth = s->depth;
        start_cell(s, attrs);
        return;
    case K_V:
        if (s->place != IN_CELL || s->depth != s->cell_depth + 1 || s->value != NULL) {
            decline(&s->p);
            return;
        }
        s->place = IN_VALUE;
        start_text(s, s->max_text, 0);
        return;
    case K_F: {
        if (s->place != IN_CELL || s->depth != s->cell_depth + 1 || s->formula != NULL) {
            decline(&s->p);
            return;
        }
        const char *type = attribute(attrs, "t");
        if (type != NULL && strcmp(type, "shared") == 0) {
            const char *index = attribute(attrs, "si");
            s->shared = PyUnicode_DecodeUTF8(index ? index : "", index ? (Py_ssize_t)strlen(index) : 0,
                                             NULL);
            if (s->shared == NULL) {
                fail(&s->p);
                return;
            }
        }
        s->place = IN_FORMULA;
        if (!start_text(s, s->max_formula, 1)) {
            fail(&s->p);
        }
        return;
    }
    default:  /* inline strings and their texts: read.py reads those */
        decline(&s->p);
        return;
    }
}

static void XMLCALL on_text(void *data, const XML_Char *text, int len) {
    Scan *s = (Scan *)data;
    if (!stopped(&s->p) && (s->place == IN_VALUE || s->place == IN_FORMULA)) {
        add_text(&s->p, text, len);
    }
}

/* A stored number as read.py's angka.parse_stored takes it, for the plain form only:
   [+-]?([0-9]+(.[0-9]*)?|.[0-9]+)([eE][+-]?[0-9]+)? with no space, finite and within Excel's
   range; NULL (and no error) for any other text, which Python then reads. */
static PyObject *plain_number(const char *text, size_t len) {
    size_t i = 0, digits = 0;
    if (len == 0 || len > 64) {
        return NULL;
    }
    if (text[i] == '+' || text[i] == '-') {
        i++;
    }
    while (i < len && text[i] >= '0' && text[i] <= '9') {
        i++;
        digits++;
    }
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            i++;
            digits++;
        }
    }
    if (digits == 0) {
        return NULL;
    }
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        i++;
        if (i < len && (text[i] == '+' || text[i] == '-')) {
            i++;
        }
        size_t exponent = 0;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            i++;
            exponent++;
        }
        if (exponent == 0) {
            return NULL;
        }
    }
    if (i != len) {
        return NULL;
    }
    char copy[65];
    memcpy(copy, text, len);
    copy[len] = '\0';
    double number = PyOS_string_to_double(copy, NULL, NULL);
    if (number == -1.0 && PyErr_Occurred()) {
        PyErr_Clear();
        return NULL;
    }
    if (!isfinite(number) || fabs(number) > EXCEL_MAX) {
        return NULL;
    }
    return PyFloat_FromDouble(number);
}

static int ascii(const char *text, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)text[i] >= 0x80) {
            return 0;
        }
    }
    return 1;
}

/* The value of the <v> just read, by the cell's type, as read.py's _stored reads it; where
   that takes more than the plain forms (a number written otherwise, an index in other
   digits, a type of another name), the text, left for Python (value_final stays 0). */
static PyObject *stored_value(Scan *s) {
    const char *text = s->p.text ? s->p.text : "";
    size_t len = s->p.text_len;
    PyObject *type = s->type;
    if (type == NULL || type == TYPES[2]) {  /* a number */
        PyObject *number = plain_number(text, len);
        if (number != NULL) {
            s->value_final = 1;
            return number;
        }
    } else if (type == TYPES[0] && ascii(text, len)) {  /* an index in the shared strings */
        size_t i = 0, digits = 0;
        unsigned long long index = 0;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            if (digits > 0 || text[i] != '0') {
                digits++;
                if (digits <= 18) {
                    index = index * 10 + (unsigned long long)(text[i] - '0');
                }
            }
            i++;
        }
        PyObject *item;
        if (len > 0 && i == len && digits <= 18
                && index < (unsigned long long)PyList_GET_SIZE(s->strings)) {
            item = PyList_GET_ITEM(s->strings, (Py_ssize_t)index);
            Py_INCREF(item);
        } else {  /* not an index of one: an empty text, as read.py gives */
            item = PyUnicode_FromStringAndSize(NULL, 0);
        }
        s->value_final = 1;
        return item;
    } else if (type == TYPES[1] || type == TYPES[4]) {  /* a formula's text, an error */
        s->value_final = 1;
    } else if (type == TYPES[3]) {  /* a truth value: "1" is true */
        s->value_final = 1;
        PyObject *truth = (len == 1 && text[0] == '1') ? Py_True : Py_False;
        Py_INCREF(truth);
        return truth;
    }
    return PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, NULL);
}

static void finish_cell(Scan *s) {
    int inline_type = s->type != NULL && s->type == TYPES[5];
    if (s->formula == NULL && s->value == NULL && !inline_type) {
        clear_cell(s);  /* holds nothing: as if it were not there */
        return;
    }
    PyObject *ref = PyUnicode_DecodeASCII(s->ref, (Py_ssize_t)strlen(s->ref), NULL);
    PyObject *item = NULL;
    if (ref == NULL) {
        fail(&s->p);
        return;
    }
    PyObject *shown = (s->formula != NULL && PyUnicode_GET_LENGTH(s->formula) > 0)
                      ? s->formula : Py_None;
    if (s->shared != NULL || (!inline_type && s->value != NULL && !s->value_final)) {
        /* Python finishes it: a shared formula, a value read otherwise */
        item = PyTuple_Pack(5, ref, s->type ? s->type : Py_None,
                            s->formula ? s->formula : Py_None,
                            s->value ? s->value : Py_None, s->shared ? s->shared : Py_None);
        if (item == NULL || PyList_Append(s->pending, item) < 0) {
            goto failed;
        }
        Py_DECREF(item);
        item = PyTuple_Pack(2, Py_None, Py_None);  /* its place, in document order */
    } else if (inline_type) {
        PyObject *empty = PyUnicode_FromStringAndSize(NULL, 0);
        item = empty ? PyTuple_Pack(2, shown, empty) : NULL;
        Py_XDECREF(empty);
    } else if (s->value == NULL) {
        item = PyTuple_Pack(2, shown, shown == Py_None ? Py_None : s->no_value);
    } else {
        item = PyTuple_Pack(2, shown, s->value);
    }
    if (item == NULL || PyDict_SetItem(s->cells_out, ref, item) < 0) {
        goto failed;
    }
    Py_DECREF(item);
    Py_DECREF(ref);
    clear_cell(s);
    return;
failed:
    Py_XDECREF(item);
    Py_DECREF(ref);
    fail(&s->p);
}

static void XMLCALL on_end(void *data, const XML_Char *name) {
    Scan *s = (Scan *)data;
    if (stopped(&s->p)) {
        return;
    }
    s->depth -= 1;
    switch (s->place) {
    case IN_VALUE:
    case IN_FORMULA: {
        /* nothing but text is allowed inside: this end is the <v>'s or the <f>'s */
        PyObject *text;
        if (s->place == IN_VALUE) {
            text = stored_value(s);
        } else if (s->p.text_len == 1) {  /* "<f/>": a formula with no text */
            text = PyUnicode_FromStringAndSize(NULL, 0);
        } else {  /* the text as shown, after the "=" start_text put first */
            text = PyUnicode_DecodeUTF8(s->p.text, (Py_ssize_t)s->p.text_len, NULL);
        }
        if (text == NULL) {
            fail(&s->p);
            return;
        }
        if (s->place == IN_VALUE) {
            s->value = text;
        } else {
            s->formula = text;
        }
        s->place = IN_CELL;
        return;
    }
    case IN_CELL:
        finish_cell(s);
        s->place = IN_ROW;
        return;
    case IN_ROW:
        if (s->depth == s->row_depth - 1) {
            s->place = IN_SHEET_DATA;
        }
        return;
    case IN_SHEET_DATA:
        if (s->depth == s->sheet_data_depth - 1) {
            s->place = AFTER;
        }
        return;
    default:
        (void)name;
        return;
    }
}

static PyObject *scan(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer data;
    Scan s;
    memset(&s, 0, sizeof(s));
    if (!PyArg_ParseTuple(args, "y*nnnnnO!O", &data, &s.elements, &s.cells, &s.rows,
                          &s.max_text, &s.max_formula, &PyList_Type, &s.strings,
                          &s.no_value)) {
        return NULL;
    }
    if (data.len > INT_MAX) {
        PyBuffer_Release(&data);
        Py_RETURN_NONE;
    }
    s.cells_out = PyDict_New();
    s.pending = PyList_New(0);
    int ran = -1;
    if (s.cells_out != NULL && s.pending != NULL) {
        s.place = OUTSIDE;
        ran = run(&s.p, &data, on_start, on_end, on_text);
    }
    PyBuffer_Release(&data);
    clear_cell(&s);
    if (ran != 1) {
        Py_XDECREF(s.cells_out);
        Py_XDECREF(s.pending);
        if (ran < 0 || s.p.failed) {
            if (!PyErr_Occurred()) {
                PyErr_NoMemory();
            }
            return NULL;
        }
        Py_RETURN_NONE;
    }
    return Py_BuildValue("(NNnnn)", s.cells_out, s.pending, s.elements_met, s.cells_met,
                         s.rows_met);
}

/* The shared strings part: sst > si > (t | r > (rPr, t)), an item's text the texts of its
   <t> elements joined, as read.py's _SharedStrings reads them. */
typedef struct {
    Parse p;               /* its text is the item's; its limit, an item's characters */
    long depth;
    int in_item, in_t, in_run;
    Py_ssize_t items_left;
    PyObject *out;
} Strings;

static void XMLCALL strings_start(void *data, const XML_Char *name, const XML_Char **attrs) {
    Strings *s = (Strings *)data;
    (void)attrs;
    if (stopped(&s->p)) {  /* expat may call once more after it was stopped */
        return;
    }
    s->depth += 1;
    int main = strncmp(name, MAIN, MAIN_LEN) == 0;
    const char *local = main ? name + MAIN_LEN : "";
    if (s->in_t) {
        decline(&s->p);  /* an element inside a text */
    } else if (s->depth == 1) {
        if (main && (strcmp(local, "si") == 0 || strcmp(local, "t") == 0)) {
            decline(&s->p);
        }
    } else if (s->depth == 2) {
        if (!main || strcmp(local, "si") != 0) {
            decline(&s->p);
            return;
        }
        if (--s->items_left < 0) {
            decline(&s->p);
            return;
        }
        s->in_item = 1;
        s->p.text_chars = 0;
        s->p.text_len = 0;
    } else if (s->depth == 3 && main && strcmp(local, "t") == 0) {
        s->in_t = 1;
    } else if (s->depth == 3 && main && strcmp(local, "r") == 0) {
        s->in_run = 1;
    } else if (s->depth == 4 && s->in_run && main && strcmp(local, "t") == 0) {
        s->in_t = 1;
    } else if (s->depth == 4 && s->in_run && main && strcmp(local, "rPr") == 0) {
        /* a run's formatting: nothing of it is read */
    } else if (s->depth > 4 && !(main && (strcmp(local, "t") == 0 || strcmp(local, "si") == 0))) {
        /* inside a run's formatting */
    } else if (s->depth > 1) {
        decline(&s->p);
    }
}

static void XMLCALL strings_text(void *data, const XML_Char *text, int len) {
    Strings *s = (Strings *)data;
    if (!stopped(&s->p) && s->in_t) {
        add_text(&s->p, text, len);
    }
}

static void XMLCALL strings_end(void *data, const XML_Char *name) {
    Strings *s = (Strings *)data;
    (void)name;
    if (stopped(&s->p)) {
        return;
    }
    if (s->in_t) {
        s->in_t = 0;  /* nothing is allowed inside a text, so this ends it */
    } else if (s->depth == 3 && s->in_run) {
        s->in_run = 0;
    } else if (s->depth == 2 && s->in_item) {
        PyObject *item = PyUnicode_DecodeUTF8(s->p.text, (Py_ssize_t)s->p.text_len, NULL);
        if (item == NULL || PyList_Append(s->out, item) < 0) {
            Py_XDECREF(item);
            fail(&s->p);
            s->depth -= 1;
            return;
        }
        Py_DECREF(item);
        s->in_item = 0;
    }
    s->depth -= 1;
}

static PyObject *strings(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer data;
    Strings s;
    memset(&s, 0, sizeof(s));
    if (!PyArg_ParseTuple(args, "y*nn", &data, &s.items_left, &s.p.text_limit)) {
        return NULL;
    }
    if (data.len > INT_MAX) {
        PyBuffer_Release(&data);
        Py_RETURN_NONE;
    }
    s.out = PyList_New(0);
    int ran = s.out != NULL ? run(&s.p, &data, strings_start, strings_end, strings_text) : -1;
    PyBuffer_Release(&data);
    if (ran != 1) {
        Py_XDECREF(s.out);
        if (ran < 0 || s.p.failed) {
            if (!PyErr_Occurred()) {
                PyErr_NoMemory();
            }
            return NULL;
        }
        Py_RETURN_NONE;
    }
    return s.out;
}

static PyMethodDef METHODS[] = {
    {"strings", strings, METH_VARARGS,
     "strings(data, max_items, max_chars) -> list or None: the items of a regular shared "
     "strings part."},
    {"scan", scan, METH_VARARGS,
     "scan(data, elements, cells, rows, max_text, max_formula, strings, no_value) -> "
     "(cells, pending, elements, cells_met, rows) or None: the cells of a regular worksheet "
     "part."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "_sheetscan",
    "The cells of a regular worksheet part, scanned by expat at C speed.", -1, METHODS,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__sheetscan(void) {
    for (int i = 0; i < 6; i++) {
        TYPES[i] = PyUnicode_InternFromString(TYPE_NAMES[i]);
        if (TYPES[i] == NULL) {
            return NULL;
        }
    }
    return PyModule_Create(&MODULE);
}
