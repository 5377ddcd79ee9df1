/*
 * Bulk scanner of syslog mail logs: the hot path of analyzer.parse.
 *
 * Every function works on a whole chunk of log bytes and fills arrays (returned
 * as bytes objects that NumPy views without copying), so Python touches no line
 * one by one. The accepted forms are exactly those of HEADER_PATTERN in
 * analyzer/parse/syslog.py and LEAD_PATTERN in analyzer/parse/postfix.py; a
 * line this scanner does not accept is handed to those RE2 patterns, so the
 * scanner may be stricter than they are but never looser. Tests compare the two
 * on every corpus file.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* RE2's \s: tab, newline, form feed, carriage return, space. */
static inline int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}
static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static inline int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
/* Characters of a host or program token: [^\s\[\]:] */
static inline int is_token(unsigned char c) {
    return !is_space(c) && c != '[' && c != ']' && c != ':';
}

static PyObject *new_array(Py_ssize_t count, Py_ssize_t width, char **data) {
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, count * width);
    if (bytes != NULL) {
        *data = PyBytes_AS_STRING(bytes);
        memset(*data, 0, (size_t)(count * width));
    }
    return bytes;
}

/* split_lines(data) -> (starts, ends): int64 offsets of each line; ends exclude
 * the LF and a CR before it. A last line without LF counts too. */
static PyObject *split_lines(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "y*", &view)) return NULL;
    const char *data = view.buf;
    Py_ssize_t size = view.len, count = 0;
    for (const char *p = data; (p = memchr(p, '\n', (size_t)(data + size - p))) != NULL; p++) count++;
    if (size > 0 && data[size - 1] != '\n') count++;
    char *starts_data, *ends_data;
    PyObject *starts = new_array(count, 8, &starts_data);
    PyObject *ends = new_array(count, 8, &ends_data);
    if (starts == NULL || ends == NULL) {
        Py_XDECREF(starts);
        Py_XDECREF(ends);
        PyBuffer_Release(&view);
        return NULL;
    }
    int64_t *start = (int64_t *)starts_data, *end = (int64_t *)ends_data;
    Py_ssize_t line = 0, position = 0;
    while (position < size) {
        const char *newline = memchr(data + position, '\n', (size_t)(size - position));
        Py_ssize_t stop = newline ? newline - data : size;
        Py_ssize_t content = stop;
        if (content > position && data[content - 1] == '\r') content--;
        start[line] = position;
        end[line] = content;
        line++;
        position = stop + 1;
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("(NN)", starts, ends);
}

static const char *MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int month_number(const unsigned char *p) {
    for (int m = 0; m < 12; m++)
        if (memcmp(p, MONTHS + 3 * m, 3) == 0) return m + 1;
    return 0;
}

static int digits(const unsigned char *p, const unsigned char *end, int count, int *value) {
    if (end - p < count) return 0;
    int result = 0;
    for (int i = 0; i < count; i++) {
        if (!is_digit(p[i])) return 0;
        result = result * 10 + (p[i] - '0');
    }
    *value = result;
    return 1;
}

typedef struct {
    int year, month, day, seconds, nanos, offset, has_offset;
} Stamp;

/* Fraction of a second: 1 to 9 digits; returns the length read or 0. */
static int fraction(const unsigned char *p, const unsigned char *end, int *nanos) {
    int length = 0, value = 0;
    while (p + length < end && length < 10 && is_digit(p[length])) {
        value = value * 10 + (p[length] - '0');
        length++;
    }
    if (length == 0 || length > 9) return 0;
    for (int i = length; i < 9; i++) value *= 10;
    *nanos = value;
    return length;
}

/* HH:MM:SS; returns 8 or 0. */
static int clock_time(const unsigned char *p, const unsigned char *end, int *seconds) {
    int h, m, s;
    if (end - p < 8 || p[2] != ':' || p[5] != ':') return 0;
    if (!digits(p, end, 2, &h) || !digits(p + 3, end, 2, &m) || !digits(p + 6, end, 2, &s)) return 0;
    *seconds = h * 3600 + m * 60 + s;
    return 8;
}

/* ISO 8601 / RFC 3339: returns the length read or 0. */
static int iso_stamp(const unsigned char *p, const unsigned char *end, Stamp *stamp) {
    const unsigned char *q = p;
    int year, month, day;
    if (!digits(q, end, 4, &year) || end - q < 11 || q[4] != '-' || q[7] != '-') return 0;
    if (!digits(q + 5, end, 2, &month) || !digits(q + 8, end, 2, &day)) return 0;
    if (q[10] != 'T' && q[10] != ' ') return 0;
    q += 11;
    int length = clock_time(q, end, &stamp->seconds);
    if (!length) return 0;
    q += length;
    stamp->nanos = 0;
    if (q < end && (*q == '.' || *q == ',')) {
        int read = fraction(q + 1, end, &stamp->nanos);
        if (read) q += 1 + read;  /* a bare "." is left for the next token */
    }
    stamp->offset = 0;
    stamp->has_offset = 0;
    if (q < end && *q == 'Z') {
        stamp->has_offset = 1;
        q++;
    } else if (q < end && (*q == '+' || *q == '-')) {
        int sign = *q == '-' ? -1 : 1, hours, minutes;
        const unsigned char *r = q + 1;
        if (digits(r, end, 2, &hours)) {
            r += 2;
            if (r < end && *r == ':') r++;
            if (digits(r, end, 2, &minutes)) {
                stamp->offset = sign * (hours * 3600 + minutes * 60);
                stamp->has_offset = 1;
                q = r + 2;
            }
        }
    }
    stamp->year = year;
    stamp->month = month;
    stamp->day = day;
    return (int)(q - p);
}

/* BSD: (YYYY )?Mon {1,2}D{1,2}( YYYY)? HH:MM:SS(.frac)? ; returns the length or 0. */
static int bsd_stamp(const unsigned char *p, const unsigned char *end, Stamp *stamp) {
    const unsigned char *q = p;
    int year = 0, day = 0;
    if (end - q >= 5 && digits(q, end, 4, &year) && q[4] == ' ') q += 5;
    else year = 0;
    if (end - q < 3 || !is_upper(q[0]) || !is_lower(q[1]) || !is_lower(q[2])) return 0;
    stamp->month = month_number(q);
    q += 3;
    int spaces = 0;
    while (q < end && *q == ' ' && spaces < 3) { q++; spaces++; }
    if (spaces < 1 || spaces > 2) return 0;
    if (q < end && is_digit(*q)) { day = *q - '0'; q++; } else return 0;
    if (q < end && is_digit(*q)) { day = day * 10 + (*q - '0'); q++; }
    if (q >= end || *q != ' ') return 0;
    q++;
    int trailing_year;
    if (end - q >= 5 && digits(q, end, 4, &trailing_year) && q[4] == ' ') {
        if (year == 0) year = trailing_year;
        else return 0;  /* a year both before and after: not a form we know */
        q += 5;
    }
    int length = clock_time(q, end, &stamp->seconds);
    if (!length) return 0;
    q += length;
    stamp->nanos = 0;
    if (q < end && *q == '.') {
        int read = fraction(q + 1, end, &stamp->nanos);
        if (read) q += 1 + read;
    }
    stamp->year = year;
    stamp->day = day;
    stamp->offset = 0;
    stamp->has_offset = 0;
    return (int)(q - p);
}

/* <...> with 1 to max characters of [0-9a-z.] (or, when strict, name.name). */
static int angle_tag(const unsigned char *p, const unsigned char *end, int max) {
    if (p >= end || *p != '<') return 0;
    int length = 0;
    while (p + 1 + length < end && length <= max) {
        unsigned char c = p[1 + length];
        if (c == '>') break;
        if (!(is_digit(c) || is_lower(c) || c == '.')) return 0;
        length++;
    }
    if (length == 0 || length > max || p + 1 + length >= end || p[1 + length] != '>') return 0;
    return length + 2;
}

static int facility_tag(const unsigned char *p, const unsigned char *end) {
    /* <[a-z0-9]{1,10}\.[a-z0-9]{1,10}> */
    int length = angle_tag(p, end, 21);
    if (!length) return 0;
    const unsigned char *dot = memchr(p + 1, '.', (size_t)(length - 2));
    if (dot == NULL) return 0;
    int left = (int)(dot - (p + 1)), right = length - 3 - left;
    if (left < 1 || left > 10 || right < 1 || right > 10) return 0;
    if (memchr(dot + 1, '.', (size_t)right) != NULL) return 0;
    return length;
}

/* Solaris "[ID 197553 mail.info] "; returns the length or 0. */
static int solaris_tag(const unsigned char *p, const unsigned char *end) {
    const unsigned char *q = p;
    if (end - q < 4 || memcmp(q, "[ID ", 4) != 0) return 0;
    q += 4;
    const unsigned char *start = q;
    while (q < end && is_digit(*q)) q++;
    if (q == start || q >= end || *q != ' ') return 0;
    q++;
    start = q;
    while (q < end && (is_lower(*q) || is_digit(*q))) q++;
    if (q == start || q >= end || *q != '.') return 0;
    q++;
    start = q;
    while (q < end && is_lower(*q)) q++;
    if (q == start || q >= end || *q != ']') return 0;
    q++;
    if (q >= end || !is_space(*q)) return 0;
    return (int)(q + 1 - p);
}

static int token(const unsigned char *p, const unsigned char *end) {
    int length = 0;
    while (p + length < end && is_token(p[length])) length++;
    return length;
}

/* "[digits]" of 1 to 10 digits; returns the length or 0, sets *pid. */
static int pid_part(const unsigned char *p, const unsigned char *end, int64_t *pid) {
    if (p >= end || *p != '[') return 0;
    int64_t value = 0;
    int length = 0;
    while (p + 1 + length < end && is_digit(p[1 + length]) && length < 11) {
        value = value * 10 + (p[1 + length] - '0');
        length++;
    }
    if (length == 0 || length > 10 || p + 1 + length >= end || p[1 + length] != ']') return 0;
    *pid = value;
    return length + 2;
}

/* prog(\[pid\])?: — returns the length through the colon, or 0. */
static int program_part(const unsigned char *p, const unsigned char *end, int *prog_length, int64_t *pid) {
    int length = token(p, end);
    if (length == 0) return 0;
    const unsigned char *q = p + length;
    *pid = -1;
    int pid_length = pid_part(q, end, pid);
    q += pid_length;
    if (q >= end || *q != ':') return 0;
    *prog_length = length;
    return (int)(q + 1 - p);
}

enum {
    H_OK, H_YEAR, H_MONTH, H_DAY, H_SECONDS, H_NANOS, H_OFFSET, H_HAS_OFFSET,
    H_STAMP_START, H_STAMP_LENGTH, H_HOST_START, H_HOST_LENGTH, H_PROG_START,
    H_PROG_LENGTH, H_BODY_START, H_BODY_END, H_COUNT
};

/* scan_headers(data, starts, ends) -> (fields int32[count * H_COUNT], pid int64[count])
 * Offsets in fields are absolute positions in data; a missing host has length -1. */
static PyObject *scan_headers(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view, starts_view, ends_view;
    if (!PyArg_ParseTuple(args, "y*y*y*", &view, &starts_view, &ends_view)) return NULL;
    Py_ssize_t count = starts_view.len / 8;
    const int64_t *starts = starts_view.buf, *ends = ends_view.buf;
    const unsigned char *data = view.buf;
    char *fields_data, *pid_data;
    PyObject *fields = new_array(count, 4 * H_COUNT, &fields_data);
    PyObject *pids = new_array(count, 8, &pid_data);
    if (fields == NULL || pids == NULL) goto fail;
    int32_t *out = (int32_t *)fields_data;
    int64_t *pid_out = (int64_t *)pid_data;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        int32_t *f = out + i * H_COUNT;
        pid_out[i] = -1;
        const unsigned char *line = data + starts[i], *end = data + ends[i], *q = line;
        int length = angle_tag(q, end, 20);
        if (length) {
            q += length;
            if (q < end && is_space(*q)) q++;
        }
        Stamp stamp;
        const unsigned char *stamp_start = q;
        int stamp_length = iso_stamp(q, end, &stamp);
        if (!stamp_length) stamp_length = bsd_stamp(q, end, &stamp);
        if (!stamp_length) continue;
        q += stamp_length;
        if (q >= end || !is_space(*q)) continue;
        while (q < end && is_space(*q)) q++;
        length = facility_tag(q, end);
        if (length) {
            if (q + length >= end || !is_space(q[length])) continue;
            q += length;
            while (q < end && is_space(*q)) q++;
        }
        int host_length = -1, prog_length = 0;
        int64_t pid = -1;
        const unsigned char *host = q, *prog = q;
        int first = token(q, end);
        const unsigned char *after = q + first;
        int through = 0;
        if (first > 0 && after < end && is_space(*after)) {
            const unsigned char *second = after;
            while (second < end && is_space(*second)) second++;
            through = program_part(second, end, &prog_length, &pid);
            if (through) {
                host_length = first;
                prog = second;
                q = second + through;
            }
        }
        if (!through) {
            through = program_part(q, end, &prog_length, &pid);
            if (!through) continue;
            prog = q;
            q += through;
        }
        if (q < end && is_space(*q)) q++;
        q += solaris_tag(q, end);
        f[H_OK] = 1;
        f[H_YEAR] = stamp.year;
        f[H_MONTH] = stamp.month;
        f[H_DAY] = stamp.day;
        f[H_SECONDS] = stamp.seconds;
        f[H_NANOS] = stamp.nanos;
        f[H_OFFSET] = stamp.offset;
        f[H_HAS_OFFSET] = stamp.has_offset;
        f[H_STAMP_START] = (int32_t)(stamp_start - data);
        f[H_STAMP_LENGTH] = stamp_length;
        f[H_HOST_START] = (int32_t)(host - data);
        f[H_HOST_LENGTH] = host_length;
        f[H_PROG_START] = (int32_t)(prog - data);
        f[H_PROG_LENGTH] = prog_length;
        f[H_BODY_START] = (int32_t)(q - data);
        /* The body stops at the first CR, as [^\r\n]* does. */
        const unsigned char *cr = memchr(q, '\r', (size_t)(end - q));
        f[H_BODY_END] = (int32_t)((cr ? cr : end) - data);
        pid_out[i] = pid;
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    PyBuffer_Release(&starts_view);
    PyBuffer_Release(&ends_view);
    return Py_BuildValue("(NN)", fields, pids);
fail:
    Py_XDECREF(fields);
    Py_XDECREF(pids);
    PyBuffer_Release(&view);
    PyBuffer_Release(&starts_view);
    PyBuffer_Release(&ends_view);
    return NULL;
}


/* gather(data, starts, ends) -> (bytes, offsets int32[count + 1]): the byte
 * ranges [start, end) concatenated, as an Arrow string array's buffers. A range
 * with start < 0 becomes an empty string (the caller marks it null). */
static PyObject *gather(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view, starts_view, ends_view;
    if (!PyArg_ParseTuple(args, "y*y*y*", &view, &starts_view, &ends_view)) return NULL;
    Py_ssize_t count = starts_view.len / 8;
    const int64_t *starts = starts_view.buf, *ends = ends_view.buf;
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < count; i++)
        if (starts[i] >= 0 && ends[i] > starts[i]) total += ends[i] - starts[i];
    char *offsets_data, *bytes_data;
    PyObject *offsets = new_array(count + 1, 4, &offsets_data);
    PyObject *bytes = new_array(total, 1, &bytes_data);
    if (offsets == NULL || bytes == NULL || total >= INT32_MAX) {
        Py_XDECREF(offsets);
        Py_XDECREF(bytes);
        PyBuffer_Release(&view);
        PyBuffer_Release(&starts_view);
        PyBuffer_Release(&ends_view);
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_OverflowError, "chunk too large to gather");
        return NULL;
    }
    int32_t *offset = (int32_t *)offsets_data;
    const char *data = view.buf;
    Py_BEGIN_ALLOW_THREADS
    int32_t position = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        offset[i] = position;
        if (starts[i] >= 0 && ends[i] > starts[i]) {
            memcpy(bytes_data + position, data + starts[i], (size_t)(ends[i] - starts[i]));
            position += (int32_t)(ends[i] - starts[i]);
        }
    }
    offset[count] = position;
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    PyBuffer_Release(&starts_view);
    PyBuffer_Release(&ends_view);
    return Py_BuildValue("(NN)", bytes, offsets);
}

/* Characters of long queue IDs: base 52 without vowels; the inode part has no 'z'. */
static inline int is_long_id_char(unsigned char c) {
    if (is_digit(c)) return 1;
    if (!is_upper(c) && !is_lower(c)) return 0;
    switch (c) {
    case 'A': case 'E': case 'I': case 'O': case 'U':
    case 'a': case 'e': case 'i': case 'o': case 'u':
        return 0;
    }
    return 1;
}

static inline int is_upper_hex(unsigned char c) { return is_digit(c) || (c >= 'A' && c <= 'F'); }

/* Length of a queue ID followed by ": " at p (short, long or NOQUEUE), or 0. */
static int queue_id(const unsigned char *p, const unsigned char *end) {
    int hex = 0;
    while (p + hex < end && hex <= 21 && is_upper_hex(p[hex])) hex++;
    if (hex >= 6 && hex <= 21 && end - p >= hex + 2 && p[hex] == ':' && p[hex + 1] == ' ') return hex;
    int run = 0, last_z = -1;
    while (p + run < end && run <= 27 && is_long_id_char(p[run])) {
        if (p[run] == 'z') last_z = run;
        run++;
    }
    if (last_z >= 10 && last_z <= 14 && run - last_z - 1 >= 1 && run - last_z - 1 <= 12 &&
        end - p >= run + 2 && p[run] == ':' && p[run + 1] == ' ')
        return run;
    if (end - p >= 9 && memcmp(p, "NOQUEUE: ", 9) == 0) return 7;
    return 0;
}

/* classify(data, starts, ends, leads) -> (qid_length int8[count], lead int16[count])
 * leads: a tuple of bytes, longest first, as in LEAD_PATTERN; -1 means none. */
static PyObject *classify(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view, starts_view, ends_view;
    PyObject *leads;
    if (!PyArg_ParseTuple(args, "y*y*y*O!", &view, &starts_view, &ends_view, &PyTuple_Type, &leads))
        return NULL;
    Py_ssize_t count = starts_view.len / 8, lead_count = PyTuple_GET_SIZE(leads);
    const int64_t *starts = starts_view.buf, *ends = ends_view.buf;
    const unsigned char *data = view.buf;
    const char **lead_text = PyMem_Calloc((size_t)lead_count + 1, sizeof(char *));
    Py_ssize_t *lead_length = PyMem_Calloc((size_t)lead_count + 1, sizeof(Py_ssize_t));
    char *qid_data = NULL, *lead_data = NULL;
    PyObject *qids = NULL, *found = NULL;
    if (lead_text == NULL || lead_length == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t j = 0; j < lead_count; j++) {
        PyObject *item = PyTuple_GET_ITEM(leads, j);
        if (!PyBytes_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "leads must be bytes");
            goto done;
        }
        lead_text[j] = PyBytes_AS_STRING(item);
        lead_length[j] = PyBytes_GET_SIZE(item);
    }
    qids = new_array(count, 1, &qid_data);
    found = new_array(count, 2, &lead_data);
    if (qids == NULL || found == NULL) goto done;
    int8_t *qid_out = (int8_t *)qid_data;
    int16_t *lead_out = (int16_t *)lead_data;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        lead_out[i] = -1;
        if (starts[i] < 0) continue;
        const unsigned char *p = data + starts[i], *end = data + ends[i];
        int qid = queue_id(p, end);
        qid_out[i] = (int8_t)qid;
        if (qid) p += qid + 2;
        for (Py_ssize_t j = 0; j < lead_count; j++) {
            Py_ssize_t n = lead_length[j];
            if (n > 0 && end - p >= n && p[0] == (unsigned char)lead_text[j][0] &&
                memcmp(p, lead_text[j], (size_t)n) == 0) {
                lead_out[i] = (int16_t)j;
                break;
            }
        }
    }
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(lead_text);
    PyMem_Free(lead_length);
    PyBuffer_Release(&view);
    PyBuffer_Release(&starts_view);
    PyBuffer_Release(&ends_view);
    if (PyErr_Occurred()) {
        Py_XDECREF(qids);
        Py_XDECREF(found);
        return NULL;
    }
    return Py_BuildValue("(NN)", qids, found);
}

/* The delivery record of global/log_adhoc.c, as DELIVERY_PATTERN in
 * analyzer/parse/fast.py spells it:
 *   to=<rcpt>, [orig_to=<rcpt>,] relay=R, [conn_use=N,] delay=D, [delays=a/b/c/d,]
 *   [tls=T,] [dsn=X.Y.Z,] status=S[ (reply[)]]
 * Each optional part is taken when its " name=" prefix is there, and then must be
 * well formed, as in the pattern, where skipping it leaves text nothing else matches. */
enum {
    D_RECIPIENT, D_ORIG_RECIPIENT, D_RELAY, D_CONN_USE, D_DELAY, D_DELAYS, D_TLS,
    D_DSN, D_STATUS, D_REPLY, D_FIELDS
};

typedef struct { const unsigned char *p, *end; } Cursor;

static int literal(Cursor *c, const char *text) {
    size_t n = strlen(text);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, text, n) != 0) return 0;
    c->p += n;
    return 1;
}

/* (?:<[^>]*>|[^,<>\s]*) followed by ",". */
static int address(Cursor *c, const unsigned char **from, const unsigned char **to) {
    const unsigned char *p = c->p;
    if (p < c->end && *p == '<') {
        const unsigned char *close = memchr(p + 1, '>', (size_t)(c->end - p - 1));
        if (close == NULL || close + 1 >= c->end || close[1] != ',') return 0;
        *from = p;
        *to = close + 1;
        c->p = close + 2;
        return 1;
    }
    while (p < c->end && *p != ',' && *p != '<' && *p != '>' && !is_space(*p)) p++;
    if (p >= c->end || *p != ',') return 0;
    *from = c->p;
    *to = p;
    c->p = p + 1;
    return 1;
}

/* A run of characters accepted by ``accept`` (at least ``minimum``), then ",". */
static int run_then_comma(Cursor *c, int (*accept)(unsigned char), int minimum,
                          const unsigned char **from, const unsigned char **to) {
    const unsigned char *p = c->p;
    while (p < c->end && accept(*p)) p++;
    if (p - c->p < minimum || p >= c->end || *p != ',') return 0;
    *from = c->p;
    *to = p;
    c->p = p + 1;
    return 1;
}

static int not_comma(unsigned char ch) { return ch != ','; }
static int digit_char(unsigned char ch) { return is_digit(ch); }
static int digit_or_dot(unsigned char ch) { return is_digit(ch) || ch == '.'; }
static int tls_char(unsigned char ch) { return ch != ',' && !is_space(ch); }
static int word_or_dash(unsigned char ch) {
    return is_digit(ch) || is_upper(ch) || is_lower(ch) || ch == '_' || ch == '-';
}

/* [\d.]+/[\d.]+/[\d.]+/[\d.]+ then "," */
static int delays(Cursor *c, const unsigned char **from, const unsigned char **to) {
    const unsigned char *p = c->p;
    for (int part = 0; part < 4; part++) {
        const unsigned char *start = p;
        while (p < c->end && digit_or_dot(*p)) p++;
        if (p == start) return 0;
        if (part < 3) {
            if (p >= c->end || *p != '/') return 0;
            p++;
        }
    }
    if (p >= c->end || *p != ',') return 0;
    *from = c->p;
    *to = p;
    c->p = p + 1;
    return 1;
}

/* \d\.\d{1,3}\.\d{1,3} then "," */
static int dsn(Cursor *c, const unsigned char **from, const unsigned char **to) {
    const unsigned char *p = c->p;
    if (p >= c->end || !is_digit(*p)) return 0;
    p++;
    for (int part = 0; part < 2; part++) {
        if (p >= c->end || *p != '.') return 0;
        p++;
        int n = 0;
        while (p < c->end && is_digit(*p) && n < 3) p++, n++;
        if (n == 0) return 0;
    }
    if (p >= c->end || *p != ',') return 0;
    *from = c->p;
    *to = p;
    c->p = p + 1;
    return 1;
}

static int delivery_fields(const unsigned char *p, const unsigned char *end,
                           const unsigned char *from[D_FIELDS], const unsigned char *to[D_FIELDS]) {
    Cursor c = {p, end};
    if (!literal(&c, "to=") || !address(&c, &from[D_RECIPIENT], &to[D_RECIPIENT])) return 0;
    if (literal(&c, " orig_to=") && !address(&c, &from[D_ORIG_RECIPIENT], &to[D_ORIG_RECIPIENT]))
        return 0;
    if (!literal(&c, " relay=") || !run_then_comma(&c, not_comma, 0, &from[D_RELAY], &to[D_RELAY]))
        return 0;
    if (literal(&c, " conn_use=") &&
        !run_then_comma(&c, digit_char, 1, &from[D_CONN_USE], &to[D_CONN_USE]))
        return 0;
    if (!literal(&c, " delay=") ||
        !run_then_comma(&c, digit_or_dot, 1, &from[D_DELAY], &to[D_DELAY]))
        return 0;
    if (literal(&c, " delays=") && !delays(&c, &from[D_DELAYS], &to[D_DELAYS])) return 0;
    if (literal(&c, " tls=") && !run_then_comma(&c, tls_char, 0, &from[D_TLS], &to[D_TLS]))
        return 0;
    if (literal(&c, " dsn=") && !dsn(&c, &from[D_DSN], &to[D_DSN])) return 0;
    if (!literal(&c, " status=")) return 0;
    from[D_STATUS] = c.p;
    while (c.p < c.end && word_or_dash(*c.p)) c.p++;
    to[D_STATUS] = c.p;
    if (to[D_STATUS] == from[D_STATUS]) return 0;
    if (c.p == c.end) return 1;
    if (!literal(&c, " (")) return 0;
    from[D_REPLY] = c.p;
    to[D_REPLY] = (c.end > c.p && c.end[-1] == ')') ? c.end - 1 : c.end;
    return 1;
}

/* delivery(data, starts, ends) -> (matched int8[count], spans int64[count][D_FIELDS][2])
 * Spans are absolute [start, end) offsets; a part that is not there is empty. */
static PyObject *delivery(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer view, starts_view, ends_view;
    if (!PyArg_ParseTuple(args, "y*y*y*", &view, &starts_view, &ends_view)) return NULL;
    Py_ssize_t count = starts_view.len / 8;
    const int64_t *starts = starts_view.buf, *ends = ends_view.buf;
    const unsigned char *data = view.buf;
    char *matched_data, *spans_data;
    PyObject *matched = new_array(count, 1, &matched_data);
    PyObject *spans = new_array(count, 16 * D_FIELDS, &spans_data);
    if (matched == NULL || spans == NULL) {
        Py_XDECREF(matched);
        Py_XDECREF(spans);
        PyBuffer_Release(&view);
        PyBuffer_Release(&starts_view);
        PyBuffer_Release(&ends_view);
        return NULL;
    }
    int8_t *ok = (int8_t *)matched_data;
    int64_t *span = (int64_t *)spans_data;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        const unsigned char *from[D_FIELDS] = {0}, *to[D_FIELDS] = {0};
        if (starts[i] < 0) continue;
        if (!delivery_fields(data + starts[i], data + ends[i], from, to)) continue;
        ok[i] = 1;
        int64_t *row = span + i * 2 * D_FIELDS;
        for (int f = 0; f < D_FIELDS; f++) {
            if (from[f] != NULL) {
                row[2 * f] = from[f] - data;
                row[2 * f + 1] = to[f] - data;
            }
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    PyBuffer_Release(&starts_view);
    PyBuffer_Release(&ends_view);
    return Py_BuildValue("(NN)", matched, spans);
}

static PyMethodDef methods[] = {
    {"split_lines", split_lines, METH_VARARGS, "Offsets of the lines of a chunk."},
    {"scan_headers", scan_headers, METH_VARARGS, "Syslog header fields of each line."},
    {"gather", gather, METH_VARARGS, "Concatenate byte ranges into Arrow string buffers."},
    {"classify", classify, METH_VARARGS, "Queue ID length and lead of each message body."},
    {"delivery", delivery, METH_VARARGS, "Fields of delivery records (to=..., status=...)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scan", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
