/* A plain bounded Dijkstra in C: the yardstick of `make bench`'s "lifecircle ÷ plain C" column.
 *
 * Binary heap with lazy deletion, one cost array of the graph's size kept all-infinite between
 * searches (only the nodes a search touched are reset), CSR adjacency as scipy stores it. Built
 * by benchmarks/tool_c.py with the system compiler (`cc -O2`), loaded with ctypes; never
 * imported by src/. Costs compare as scipy's do: a node is reached when its cost is <= limit.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct {
    double *cost;
    int64_t *node;
    int64_t size, cap;
} heap_t;

static void push(heap_t *h, double c, int64_t v) {
    if (h->size == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->cost = realloc(h->cost, h->cap * sizeof(double));
        h->node = realloc(h->node, h->cap * sizeof(int64_t));
    }
    int64_t i = h->size++;
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (h->cost[p] <= c) break;
        h->cost[i] = h->cost[p];
        h->node[i] = h->node[p];
        i = p;
    }
    h->cost[i] = c;
    h->node[i] = v;
}

static void pop(heap_t *h, double *c, int64_t *v) {
    *c = h->cost[0];
    *v = h->node[0];
    double lc = h->cost[--h->size];
    int64_t lv = h->node[h->size];
    int64_t i = 0;
    for (;;) {
        int64_t k = 2 * i + 1;
        if (k >= h->size) break;
        if (k + 1 < h->size && h->cost[k + 1] < h->cost[k]) k++;
        if (h->cost[k] >= lc) break;
        h->cost[i] = h->cost[k];
        h->node[i] = h->node[k];
        i = k;
    }
    h->cost[i] = lc;
    h->node[i] = lv;
}

/* One multi-source search: settled nodes go to out (settle order), their costs stay in dist
 * until reset(). Returns how many were settled. */
static int64_t search(const int32_t *indptr, const int32_t *indices, const double *data,
                      const int64_t *sources, int64_t n_sources, double limit, double *dist,
                      int64_t *out, heap_t *h) {
    int64_t end = 0;
    h->size = 0;
    for (int64_t i = 0; i < n_sources; i++) {
        if (dist[sources[i]] > 0.0) {
            dist[sources[i]] = 0.0;
            push(h, 0.0, sources[i]);
        }
    }
    while (h->size > 0) {
        double c;
        int64_t u;
        pop(h, &c, &u);
        if (c > dist[u]) continue;
        out[end++] = u;
        for (int32_t j = indptr[u]; j < indptr[u + 1]; j++) {
            int32_t v = indices[j];
            double t = c + data[j];
            if (t <= limit && t < dist[v]) {
                dist[v] = t;
                push(h, t, v);
            }
        }
    }
    return end;
}

static void reset(double *dist, const int64_t *out, int64_t n) {
    for (int64_t k = 0; k < n; k++) dist[out[k]] = INFINITY;
}

/* nearest: per type, one unbounded multi-source search; cost[t * n + node]. */
void nearest(int64_t n, const int32_t *indptr, const int32_t *indices, const double *data,
             int64_t n_types, const int64_t *type_ptr, const int64_t *sources, double *cost) {
    double *dist = malloc(n * sizeof(double));
    int64_t *out = malloc(n * sizeof(int64_t));
    heap_t h = {0};
    for (int64_t i = 0; i < n; i++) dist[i] = INFINITY;
    for (int64_t t = 0; t < n_types; t++) {
        double *row = cost + t * n;
        for (int64_t i = 0; i < n; i++) row[i] = INFINITY;
        int64_t m = search(indptr, indices, data, sources + type_ptr[t],
                           type_ptr[t + 1] - type_ptr[t], INFINITY, dist, out, &h);
        for (int64_t k = 0; k < m; k++) row[out[k]] = dist[out[k]];
        reset(dist, out, m);
    }
    free(dist); free(out); free(h.cost); free(h.node);
}

/* counts: per type, one bounded search per facility node; count[t * n + node] += 1. */
void counts(int64_t n, const int32_t *indptr, const int32_t *indices, const double *data,
            int64_t n_types, const int64_t *type_ptr, const int64_t *sources, double limit,
            int32_t *count) {
    double *dist = malloc(n * sizeof(double));
    int64_t *out = malloc(n * sizeof(int64_t));
    heap_t h = {0};
    for (int64_t i = 0; i < n; i++) dist[i] = INFINITY;
    for (int64_t t = 0; t < n_types; t++) {
        int32_t *row = count + t * n;
        for (int64_t s = type_ptr[t]; s < type_ptr[t + 1]; s++) {
            int64_t m = search(indptr, indices, data, sources + s, 1, limit, dist, out, &h);
            for (int64_t k = 0; k < m; k++) row[out[k]] += 1;
            reset(dist, out, m);
        }
    }
    free(dist); free(out); free(h.cost); free(h.node);
}

/* reached: one bounded search per start; writes (node, cost) pairs row after row into
 * out_node/out_cost (capacity cap) and row_ptr; returns the total, or -1 if cap is too small. */
int64_t reached(int64_t n, const int32_t *indptr, const int32_t *indices, const double *data,
                int64_t n_starts, const int64_t *starts, double limit, int64_t *row_ptr,
                int64_t *out_node, double *out_cost, int64_t cap) {
    double *dist = malloc(n * sizeof(double));
    int64_t *out = malloc(n * sizeof(int64_t));
    heap_t h = {0};
    int64_t total = 0;
    for (int64_t i = 0; i < n; i++) dist[i] = INFINITY;
    row_ptr[0] = 0;
    for (int64_t s = 0; s < n_starts; s++) {
        int64_t m = search(indptr, indices, data, starts + s, 1, limit, dist, out, &h);
        if (total + m > cap) { total = -1; break; }
        for (int64_t k = 0; k < m; k++) {
            out_node[total + k] = out[k];
            out_cost[total + k] = dist[out[k]];
        }
        total += m;
        row_ptr[s + 1] = total;
        reset(dist, out, m);
    }
    free(dist); free(out); free(h.cost); free(h.node);
    return total;
}
