// The pathway map: draws the records embedded in the page with vis-network (served from the pyvis
// package) at the positions the server's layout gave (graph/layouts.py), draws the relationships
// and the labels itself, shows a record's card when it is chosen, opens and closes clusters, keeps
// the view (clusters open, zoom, position, chosen record) in the page's address so a link reopens
// it, and downloads the view as PNG or SVG.
// Every name is text: labels are drawn on the canvas with fillText, cards and lists are built with
// textContent, the SVG with createElementNS and textContent; no node has a title, so vis-network
// never shows an HTML tooltip.
(function () {
  'use strict'
  // The key's swatches take their colours from data attributes: the Content Security Policy
  // refuses style attributes in the page, but allows a script to set element.style.
  document.querySelectorAll('[data-swatch-color]').forEach(function (swatch) {
    var color = swatch.getAttribute('data-swatch-color')
    if (/^#[0-9a-fA-F]{3,8}$/.test(color)) swatch.style.background = color
    var border = Number(swatch.getAttribute('data-swatch-border'))
    if (border > 0) swatch.style.borderWidth = border + 'px'
  })
  var dataElement = document.getElementById('map-data')
  var container = document.getElementById('map')
  var status = document.getElementById('map-status')
  if (!dataElement || !container) return
  if (typeof vis === 'undefined') {
    status.textContent = 'The map could not be drawn in this browser. The same records are in the table below.'
    return
  }
  if (window.performance && performance.mark) performance.mark('map-script')
  var data = JSON.parse(dataElement.textContent)
  var FONT = 13
  var FONT_FACE = 'arial'
  var MIN_READABLE = 6 // a label drawn smaller than this many pixels is left out
  var READABLE_SCALE = 0.75 // a pathway view opens no smaller than this (labels 10 pixels high)
  var pathway = data.layout === 'pathway'
  var params = new URLSearchParams(window.location.search)
  var gaps = data.gaps || {}

  // Records arrive as compact rows (columns named in data.columns) and relationships as
  // [from index, to index, width]; they are turned into vis-network's nodes here.
  var col = {}
  data.columns.forEach(function (name, i) { col[name] = i })
  var cards = {}
  var ids = []
  var index = {}
  var records = data.nodes.map(function (row, i) {
    var id = row[col.id]
    var card = { id: id, name: String(row[col.name]), label: row[col.label], kind: row[col.kind],
                 importance: row[col.importance], burden: row[col.burden], contact: row[col.contact],
                 x: row[col.x], y: row[col.y], size: row[col.size], cluster: row[col.cluster],
                 lines: (row[col.lines] || [String(row[col.name])]).map(String), group: row[col.group] }
    if (card.label === 'Public') {
      card.lines = card.lines.concat(['(' + data.burden_words[(card.burden && card.burden.status) || 'unknown'] + ')'])
    }
    cards[id] = card
    ids.push(id)
    index[id] = i
    return card
  })
  var ccol = {}
  data.cluster_columns.forEach(function (name, i) { ccol[name] = i })
  var clusters = {}
  var clusterOrder = []
  data.clusters.forEach(function (row) {
    var c = { id: row[ccol.id], name: String(row[ccol.name]), count: row[ccol.count], x: row[ccol.x],
              y: row[ccol.y], radius: row[ccol.radius], members: [], gaps: 0 }
    c.lines = row[ccol.lines].map(String)
    clusters[c.id] = c
    clusterOrder.push(c.id)
  })
  records.forEach(function (r) {
    if (r.cluster && clusters[r.cluster]) {
      clusters[r.cluster].members.push(r.id)
      if (gaps[r.id]) clusters[r.cluster].gaps += 1
    }
  })
  var neighbours = {}
  data.edges.forEach(function (e) {
    (neighbours[e[0]] = neighbours[e[0]] || []).push(e)
    if (e[1] !== e[0]) (neighbours[e[1]] = neighbours[e[1]] || []).push(e)
  })

  // Which clusters are open: from the address (open=all|none|c1,c2), else the view's default.
  var open = {}
  var openParam = params.get('open')
  clusterOrder.forEach(function (cid) { open[cid] = !data.collapsed })
  if (openParam === 'all' || openParam === 'none') {
    clusterOrder.forEach(function (cid) { open[cid] = openParam === 'all' })
  } else if (openParam) {
    clusterOrder.forEach(function (cid) { open[cid] = false })
    openParam.split(',').forEach(function (cid) { if (clusters[cid]) open[cid] = true })
  }

  function bubbleSize (c) { return Math.max(18, Math.min(c.radius * 0.45, 140)) }
  function shown (r) { return !r.cluster || !clusters[r.cluster] || open[r.cluster] }

  // vis-network is given only the records it shows: a closed cluster's records are added when it
  // first opens, so a large system opening with its clusters closed builds a few dozen objects
  function visNode (r) { return { id: r.id, group: r.group, size: r.size, x: r.x, y: r.y } }
  var added = {}
  var nodeList = []
  records.forEach(function (r) {
    if (shown(r)) { nodeList.push(visNode(r)); added[r.id] = true }
  })
  clusterOrder.forEach(function (cid) {
    var c = clusters[cid]
    nodeList.push({ id: 'cluster:' + cid, x: c.x, y: c.y, size: bubbleSize(c), shape: 'dot', hidden: open[cid],
                    color: { background: '#d2e2f1', border: '#1d70b8' }, borderWidth: 2 })
  })
  var nodes = new vis.DataSet(nodeList)
  if (window.performance && performance.mark) performance.mark('map-data')
  var network = new vis.Network(container, { nodes: nodes, edges: new vis.DataSet([]) }, data.options)
  if (window.performance && performance.mark) performance.mark('map-network')
  var selected = null

  // ---- relationships: drawn as plain lines under the records, one path per line width; a
  // closed cluster's lines meet at its bubble, many as one thicker line.
  var lines = []
  function point (i) {
    var r = records[i]
    if (r.cluster && clusters[r.cluster] && !open[r.cluster]) {
      var c = clusters[r.cluster]
      return { key: 'cluster:' + c.id, x: c.x, y: c.y }
    }
    return { key: r.id, x: r.x, y: r.y }
  }
  function rebuildLines () {
    var merged = {}
    data.edges.forEach(function (e) {
      var a = point(e[0])
      var b = point(e[1])
      if (a.key === b.key) return
      var key = a.key < b.key ? a.key + '|' + b.key : b.key + '|' + a.key
      var width = e.length > 2 ? e[2] : 1
      var bundle = e.length > 3 && a.key === records[e[0]].id && b.key === records[e[1]].id ? e[3] : null
      var m = merged[key]
      if (m) {
        m.count += 1
        m.width = Math.max(m.width, width)
        if (m.bundle === null) m.bundle = bundle
      } else merged[key] = { a: a, b: b, width: width, count: 1, bundle: bundle }
    })
    lines = Object.keys(merged).map(function (k) {
      var m = merged[k]
      var line = { a: m.a, b: m.b, width: m.count > 1 ? Math.min(1 + Math.log2(m.count), 8) : m.width }
      var mid = m.bundle !== null && data.bundles ? data.bundles[m.bundle] : null
      if (mid) {
        // a quadratic curve through the bundle's middle at its half-way point (graph.layouts.bend)
        line.bundle = m.bundle
        line.bend = { x: 2 * mid[0] - (m.a.x + m.b.x) / 2, y: 2 * mid[1] - (m.a.y + m.b.y) / 2 }
      }
      return line
    })
  }
  rebuildLines()

  // a line straight from a to b, or (bundled) through its bend
  function trace (ctx, l) {
    ctx.moveTo(l.a.x, l.a.y)
    if (l.bend) ctx.quadraticCurveTo(l.bend.x, l.bend.y, l.b.x, l.b.y)
    else ctx.lineTo(l.b.x, l.b.y)
  }
  network.on('beforeDrawing', function (ctx) {
    var scale = network.getScale()
    ctx.save()
    ctx.strokeStyle = 'rgba(138, 141, 143, 0.45)'
    var byWidth = {}
    // only the lines that can be on screen are drawn: a big map zoomed in draws a few
    var view = network.getViewPosition()
    var size = canvasSize()
    var halfW = size.w / 2 / scale
    var halfH = size.h / 2 / scale
    var left = view.x - halfW
    var right = view.x + halfW
    var top = view.y - halfH
    var bottom = view.y + halfH
    lines.forEach(function (l) {
      if (Math.max(l.a.x, l.b.x) < left || Math.min(l.a.x, l.b.x) > right ||
          Math.max(l.a.y, l.b.y, l.bend ? l.bend.y : l.a.y) < top || Math.min(l.a.y, l.b.y, l.bend ? l.bend.y : l.a.y) > bottom) return
      (byWidth[l.width] = byWidth[l.width] || []).push(l)
    })
    Object.keys(byWidth).forEach(function (width) {
      ctx.beginPath()
      ctx.lineWidth = Math.max(Number(width), 1 / scale)
      byWidth[width].forEach(function (l) { trace(ctx, l) })
      ctx.stroke()
    })
    if (selected !== null && neighbours[selected]) {
      ctx.strokeStyle = '#0b0c0c'
      ctx.lineWidth = Math.max(2, 2 / scale)
      ctx.beginPath()
      neighbours[selected].forEach(function (e) {
        var a = point(e[0])
        var b = point(e[1])
        var mid = e.length > 3 && data.bundles && a.key === records[e[0]].id && b.key === records[e[1]].id ? data.bundles[e[3]] : null
        trace(ctx, { a: a, b: b, bend: mid ? { x: 2 * mid[0] - (a.x + b.x) / 2, y: 2 * mid[1] - (a.y + b.y) / 2 } : null })
      })
      ctx.stroke()
    }
    ctx.restore()
  })

  // ---- labels: drawn over the records in screen pixels. A pathway view's layout made room for
  // every label (they grow and shrink with the zoom); elsewhere labels stay 13 pixels high and
  // are placed best-connected first, leaving out any that would overlap one already drawn or
  // run off the canvas, so zooming in shows more of them.
  var drawn = []
  var skipped = 0
  var atEdge = 0
  function canvasSize () { return { w: container.clientWidth, h: container.clientHeight } }
  function toDOM (x, y, view, scale, size) {
    return { x: (x - view.x) * scale + size.w / 2, y: (y - view.y) * scale + size.h / 2 }
  }
  var candidates = []
  function rebuildCandidates () {
    candidates = []
    clusterOrder.forEach(function (cid) {
      var c = clusters[cid]
      if (!open[cid]) candidates.push({ id: 'cluster:' + cid, x: c.x, y: c.y, radius: bubbleSize(c), lines: c.lines, rank: 1e9 + c.count, bold: true })
    })
    records.forEach(function (r) {
      if (shown(r)) candidates.push({ id: r.id, x: r.x, y: r.y, radius: r.size, lines: r.lines, rank: r.importance })
    })
    candidates.sort(function (a, b) { return b.rank - a.rank || (a.id < b.id ? -1 : 1) })
  }
  rebuildCandidates()
  var widthCache = {}
  var cached = 0
  function measure (ctx, text) {
    var key = ctx.font + '|' + text
    var w = widthCache[key]
    if (w === undefined) {
      if (++cached > 20000) { widthCache = {}; cached = 0 }
      w = ctx.measureText(text).width
      widthCache[key] = w
    }
    return w
  }
  function overlapsAny (grid, cell, box) {
    for (var gx = Math.floor(box.left / cell); gx <= Math.floor(box.right / cell); gx++) {
      for (var gy = Math.floor(box.top / cell); gy <= Math.floor(box.bottom / cell); gy++) {
        var list = grid[gx + ',' + gy]
        if (!list) continue
        for (var k = 0; k < list.length; k++) {
          var o = list[k]
          if (box.left < o.right && o.left < box.right && box.top < o.bottom && o.top < box.bottom) return true
        }
      }
    }
    return false
  }
  function remember (grid, cell, box) {
    for (var gx = Math.floor(box.left / cell); gx <= Math.floor(box.right / cell); gx++) {
      for (var gy = Math.floor(box.top / cell); gy <= Math.floor(box.bottom / cell); gy++) {
        (grid[gx + ',' + gy] = grid[gx + ',' + gy] || []).push(box)
      }
    }
  }
  network.on('afterDrawing', function (ctx) {
    var scale = network.getScale()
    var view = network.getViewPosition()
    var size = canvasSize()
    var ratio = (network.canvas && network.canvas.pixelRatio) || window.devicePixelRatio || 1
    ctx.save()
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0)
    // gaps: a red ring round each record (or closed cluster) a gap rule found
    ctx.strokeStyle = '#d4351c'
    ctx.lineWidth = 3
    Object.keys(gaps).forEach(function (id) {
      var r = cards[id]
      if (!r || !shown(r)) return
      var p = toDOM(r.x, r.y, view, scale, size)
      ctx.beginPath()
      ctx.arc(p.x, p.y, r.size * scale + 5, 0, 2 * Math.PI)
      ctx.stroke()
    })
    clusterOrder.forEach(function (cid) {
      var c = clusters[cid]
      if (open[cid] || !c.gaps) return
      var p = toDOM(c.x, c.y, view, scale, size)
      ctx.beginPath()
      ctx.arc(p.x, p.y, bubbleSize(c) * scale + 5, 0, 2 * Math.PI)
      ctx.stroke()
    })
    var font = pathway ? FONT * scale : FONT
    drawn = []
    skipped = 0
    atEdge = 0
    if (font >= MIN_READABLE) {
      var step = data.line_height * font / FONT
      var gap = data.label_gap * font / FONT
      var grid = {}
      var cell = 64
      ctx.textAlign = 'center'
      ctx.textBaseline = 'top'
      ctx.lineJoin = 'round'
      ctx.font = font + 'px ' + FONT_FACE
      var fontBold = 'bold ' + font + 'px ' + FONT_FACE
      candidates.forEach(function (c) {
        var p = toDOM(c.x, c.y, view, scale, size)
        if (p.x < -400 || p.x > size.w + 400 || p.y < -400 || p.y > size.h + 400) return
        ctx.font = c.bold ? fontBold : font + 'px ' + FONT_FACE
        var width = 0
        c.lines.forEach(function (line) { width = Math.max(width, measure(ctx, line)) })
        var height = step * c.lines.length
        // below the record; on a map that places labels, above it when below is taken
        var tops = pathway ? [p.y + c.radius * scale + gap] : [p.y + c.radius * scale + gap, p.y - c.radius * scale - gap - height]
        var box = null
        for (var t = 0; t < tops.length; t++) {
          var b = { id: c.id, left: p.x - width / 2, right: p.x + width / 2, top: tops[t], bottom: tops[t] + height }
          var visible = b.right > 0 && b.left < size.w && b.bottom > 0 && b.top < size.h
          if (!visible) return
          var inside = b.left >= 0 && b.right <= size.w && b.top >= 0 && b.bottom <= size.h
          if (inside && (pathway || !overlapsAny(grid, cell, b))) { box = b; break }
        }
        if (!box) {
          // a label that would run off the canvas is left out until the record is moved into view
          if (pathway) atEdge += 1; else skipped += 1
          return
        }
        var top = box.top
        remember(grid, cell, box)
        drawn.push(box)
        c.lines.forEach(function (line, k) {
          ctx.strokeStyle = 'rgba(255, 255, 255, 0.85)'
          ctx.lineWidth = 3
          ctx.strokeText(line, p.x, top + k * step)
          ctx.fillStyle = '#0b0c0c'
          ctx.fillText(line, p.x, top + k * step)
        })
      })
    }
    ctx.restore()
  })

  // ---- the view in the address: clusters open, zoom, position and the chosen record
  function writeState () {
    var q = new URLSearchParams(window.location.search)
    var view = network.getViewPosition()
    q.set('zoom', network.getScale().toFixed(4))
    q.set('x', view.x.toFixed(1))
    q.set('y', view.y.toFixed(1))
    if (clusterOrder.length) {
      var opened = clusterOrder.filter(function (cid) { return open[cid] })
      q.set('open', opened.length === clusterOrder.length ? 'all' : opened.length ? opened.join(',') : 'none')
    }
    if (selected !== null) q.set('selected', ids[selected]); else q.delete('selected')
    q.delete('page')
    history.replaceState(null, '', window.location.pathname + '?' + q.toString() + window.location.hash)
    var share = document.getElementById('map-share-link')
    if (share) share.value = window.location.href
  }

  // The whole view with its labels, or the records in it: the layout gave the room labels need.
  function fit () {
    var size = canvasSize()
    var minX = Infinity
    var minY = Infinity
    var maxX = -Infinity
    var maxY = -Infinity
    var seen = 0
    function take (x, y, radius, below, half) {
      minX = Math.min(minX, x - Math.max(radius, half))
      maxX = Math.max(maxX, x + Math.max(radius, half))
      minY = Math.min(minY, y - radius)
      maxY = Math.max(maxY, y + radius + below)
      seen += 1
    }
    var ctx = container.querySelector('canvas').getContext('2d')
    ctx.font = FONT + 'px ' + FONT_FACE
    records.forEach(function (r) {
      if (!shown(r)) return
      var half = 0
      if (pathway) r.lines.forEach(function (line) { half = Math.max(half, ctx.measureText(line).width / 2) })
      take(r.x, r.y, r.size, pathway ? data.label_gap + data.line_height * r.lines.length : 0, half)
    })
    clusterOrder.forEach(function (cid) { if (!open[cid]) take(clusters[cid].x, clusters[cid].y, bubbleSize(clusters[cid]), 0, 0) })
    if (!seen) return
    var margin = pathway ? 24 : 60 // screen pixels kept free round the edge (labels of clusters and records)
    var scale = Math.min((size.w - 2 * margin) / Math.max(maxX - minX, 1),
                         (size.h - 2 * margin - (pathway ? 0 : 40)) / Math.max(maxY - minY, 1), 1.5)
    var centre = { x: (minX + maxX) / 2, y: (minY + maxY) / 2 + (pathway ? 0 : 20 / scale) }
    // a pathway view too large to read whole opens at a readable zoom on the chosen record
    var focus = cards[data.focus]
    if (pathway && scale < READABLE_SCALE) {
      scale = READABLE_SCALE
      if (focus) centre = { x: Math.max(focus.x, minX + size.w / 2 / scale - 24), y: focus.y }
    }
    network.moveTo({ position: centre, scale: scale, animation: false })
  }

  function setOpen (cid, value) {
    if (!clusters[cid] || open[cid] === value) return
    open[cid] = value
    var updates = clusters[cid].members.map(function (id) {
      if (added[id] || !value) return { id: id, hidden: !value }
      added[id] = true
      return visNode(cards[id])
    })
    updates.push({ id: 'cluster:' + cid, hidden: value })
    nodes.update(updates)
    rebuildLines()
    rebuildCandidates()
    renderOpenList()
  }
  function openAll (value) {
    clusterOrder.forEach(function (cid) { setOpen(cid, value) })
    network.redraw()
    writeState()
  }
  function closeCluster (cid) {
    if (!clusters[cid] || !open[cid]) return
    if (selected !== null && records[selected].cluster === cid) {
      selected = null
      network.unselectAll()
      var card = document.getElementById('map-card')
      if (card) { card.hidden = true; card.removeAttribute('data-node') }
    }
    setOpen(cid, false)
    network.redraw()
    writeState()
    status.textContent = 'Closed the cluster ' + clusters[cid].name + '.'
  }
  // One "Close" button for each open cluster, so clusters close one at a time (in the address's open=).
  var openBox = document.getElementById('map-open-clusters')
  var openList = document.getElementById('map-open-clusters-list')
  function renderOpenList () {
    if (!openBox || !openList) return
    openList.replaceChildren()
    var opened = clusterOrder.filter(function (cid) { return open[cid] })
    opened.forEach(function (cid) {
      var li = element('li')
      var button = element('button', 'govuk-button govuk-button--secondary govuk-!-margin-bottom-1',
                           'Close ' + clusters[cid].name + ' (' + clusters[cid].count + ')')
      button.type = 'button'
      button.setAttribute('data-close-cluster', cid)
      li.appendChild(button)
      openList.appendChild(li)
    })
    openBox.hidden = opened.length === 0
  }
  if (openList) {
    openList.addEventListener('click', function (event) {
      var button = event.target.closest('[data-close-cluster]')
      if (!button) return
      closeCluster(button.getAttribute('data-close-cluster'))
      // the button is gone: keyboard focus goes to the next one, or to "Open every cluster"
      var next = openList.querySelector('[data-close-cluster]') || document.getElementById('map-open-all')
      if (next) next.focus()
    })
  }

  // ---- cards
  function element (tag, className, text) {
    var el = document.createElement(tag)
    if (className) el.className = className
    if (text !== undefined && text !== null) el.textContent = String(text)
    return el
  }
  function safeLink (href, text) {
    var a = element('a', 'govuk-link', text)
    a.setAttribute('href', href)
    return a
  }
  function row (list, key, value) {
    var wrap = element('div', 'govuk-summary-list__row')
    wrap.appendChild(element('dt', 'govuk-summary-list__key', key))
    var dd = element('dd', 'govuk-summary-list__value')
    if (value instanceof Node) dd.appendChild(value)
    else dd.textContent = value
    wrap.appendChild(dd)
    list.appendChild(wrap)
  }
  function contactValue (contact) {
    if (!contact) return 'No contact route recorded'
    var ul = element('ul', 'govuk-list')
    if (contact.email) {
      var li = element('li', null, 'Email: ')
      li.appendChild(safeLink('mailto:' + contact.email, contact.email))
      ul.appendChild(li)
    }
    if (contact.url) {
      var web = element('li', null, 'Website: ')
      if (/^https?:\/\//.test(contact.url)) {
        var a = safeLink(contact.url, contact.url)
        a.setAttribute('rel', 'noopener noreferrer')
        web.appendChild(a)
      } else {
        web.appendChild(document.createTextNode(contact.url))
      }
      ul.appendChild(web)
    }
    if (contact.phone) ul.appendChild(element('li', null, 'Telephone: ' + contact.phone))
    if (contact.note) ul.appendChild(element('li', null, contact.note))
    return ul
  }
  function viewLink (changes) {
    var q = new URLSearchParams(window.location.search)
    ;['zoom', 'x', 'y', 'selected', 'page', 'open'].forEach(function (k) { q.delete(k) })
    Object.keys(changes).forEach(function (k) { if (changes[k] === null) q.delete(k); else q.set(k, changes[k]) })
    return '/map?' + q.toString()
  }
  function showNeighbours (id) {
    var i = index[id]
    ;(neighbours[i] || []).forEach(function (e) {
      [e[0], e[1]].forEach(function (j) { if (records[j].cluster) setOpen(records[j].cluster, true) })
    })
    if (cards[id].cluster) setOpen(cards[id].cluster, true)
    network.redraw()
    writeState()
    status.textContent = 'The map shows the ' + (neighbours[i] || []).length + ' relationships of ' + cards[id].name + '.'
  }
  function showCard (id) {
    var card = cards[id]
    var box = document.getElementById('map-card')
    if (!card || !box) return
    box.replaceChildren()
    box.appendChild(element('span', 'govuk-caption-m', data.label_words[card.label] || card.label))
    box.appendChild(element('h2', 'govuk-heading-m', card.name))
    var list = element('dl', 'govuk-summary-list govuk-summary-list--no-border')
    if (card.kind) row(list, 'Kind', String(card.kind).replace(/_/g, ' '))
    if (['Producer', 'Statistic', 'Intermediary', 'UserGroup'].indexOf(card.label) >= 0) {
      row(list, 'Contact', contactValue(card.contact))
    }
    if (card.burden) {
      var words = data.burden_words[card.burden.status || 'unknown'] || card.burden.status
      var ratio = card.burden.ratio === null ? '' : ' (' + Math.round(card.burden.ratio * 100) + '% of capacity)'
      row(list, card.label === 'Public' ? 'Burden' : 'Load', words + ratio)
    }
    row(list, 'Relationships', String(card.importance))
    if (card.cluster && clusters[card.cluster]) row(list, 'Cluster', clusters[card.cluster].name)
    if (gaps[id]) {
      var ul = element('ul', 'govuk-list')
      gaps[id].forEach(function (words) { ul.appendChild(element('li', null, words)) })
      row(list, 'Gaps', ul)
    }
    box.appendChild(list)
    var actions = element('ul', 'govuk-list')
    var li = element('li')
    li.appendChild(safeLink('/records/' + encodeURIComponent(id), 'Open the record for ' + card.name))
    actions.appendChild(li)
    if (!pathway || data.focus !== id) {
      li = element('li')
      li.appendChild(safeLink(viewLink({ focus: id, topic: null, public: null, producer: null, expand: null, layout: null, depth: null }),
                              'Show the pathways around ' + card.name))
      actions.appendChild(li)
    }
    li = element('li')
    if (pathway) {
      var expanded = (params.get('expand') || '').split(',').filter(Boolean)
      if (expanded.indexOf(id) < 0 && data.focus !== id) {
        li.appendChild(safeLink(viewLink({ expand: expanded.concat([id]).join(',') }), 'Add the records linked to ' + card.name))
        actions.appendChild(li)
      }
    } else {
      var button = element('button', 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0', 'Show what ' + card.name + ' is linked to')
      button.type = 'button'
      button.setAttribute('data-expand', id)
      button.addEventListener('click', function () { showNeighbours(id) })
      li.appendChild(button)
      actions.appendChild(li)
    }
    box.appendChild(actions)
    box.hidden = false
    box.setAttribute('data-node', id)
  }

  function choose (id, move) {
    if (!cards[id]) return
    if (cards[id].cluster) setOpen(cards[id].cluster, true)
    network.selectNodes([id])
    selected = index[id]
    if (move) network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: false })
    showCard(id)
    network.redraw()
    writeState()
  }

  network.on('click', function (params) {
    var id = params.nodes[0]
    if (id === undefined) return
    if (String(id).indexOf('cluster:') === 0) {
      var cid = String(id).slice(8)
      setOpen(cid, true)
      network.unselectAll()
      network.redraw()
      writeState()
      status.textContent = 'Opened the cluster ' + clusters[cid].name + ' (' + clusters[cid].count + ' records).'
      return
    }
    selected = index[id]
    showCard(id)
    network.redraw()
    writeState()
  })
  network.on('deselectNode', function () { selected = null; network.redraw(); writeState() })
  network.on('zoom', function () { network.redraw() })
  network.on('dragEnd', writeState)
  var zoomTimer = null
  network.on('zoom', function () { clearTimeout(zoomTimer); zoomTimer = setTimeout(writeState, 200) })

  // ---- measures (for the browser suite, and anyone curious): the labels drawn and the crossings
  // A line as drawn, in pixels of the canvas: one straight piece, or a bundled curve as CURVE_STEPS
  // pieces (as graph.layouts.drawn_crossings measures it).
  var CURVE_STEPS = 8
  function drawnPoints (l, view, scale, size) {
    var a = toDOM(l.a.x, l.a.y, view, scale, size)
    var b = toDOM(l.b.x, l.b.y, view, scale, size)
    if (!l.bend) return [a, b]
    var c = toDOM(l.bend.x, l.bend.y, view, scale, size)
    var out = []
    for (var i = 0; i <= CURVE_STEPS; i++) {
      var t = i / CURVE_STEPS
      var u = 1 - t
      out.push({ x: u * u * a.x + 2 * u * t * c.x + t * t * b.x, y: u * u * a.y + 2 * u * t * c.y + t * t * b.y })
    }
    return out
  }
  function crossingsNow () {
    var view = network.getViewPosition()
    var scale = network.getScale()
    var size = canvasSize()
    var segs = lines.map(function (l) {
      var pts = drawnPoints(l, view, scale, size)
      var xs = pts.map(function (p) { return p.x })
      var ys = pts.map(function (p) { return p.y })
      return { ka: l.a.key, kb: l.b.key, pts: pts, bundle: l.bundle === undefined ? null : l.bundle,
               ends: [pts[0], pts[pts.length - 1]],
               minx: Math.min.apply(null, xs), maxx: Math.max.apply(null, xs), miny: Math.min.apply(null, ys), maxy: Math.max.apply(null, ys) }
    }).sort(function (s, t) { return s.minx - t.minx })
    function orient (p, q, r) { var d = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x); return d > 0 ? 1 : d < 0 ? -1 : 0 }
    function cross (p1, p2, q1, q2) { return orient(p1, p2, q1) * orient(p1, p2, q2) < 0 && orient(q1, q2, p1) * orient(q1, q2, p2) < 0 }
    function piecesCross (s, t) {
      for (var i = 0; i + 1 < s.pts.length; i++) {
        for (var j = 0; j + 1 < t.pts.length; j++) if (cross(s.pts[i], s.pts[i + 1], t.pts[j], t.pts[j + 1])) return true
      }
      return false
    }
    var count = 0
    for (var i = 0; i < segs.length; i++) {
      var s = segs[i]
      for (var j = i + 1; j < segs.length; j++) {
        var t = segs[j]
        if (t.minx > s.maxx) break
        if (t.miny > s.maxy || s.miny > t.maxy) continue
        if (s.ka === t.ka || s.ka === t.kb || s.kb === t.ka || s.kb === t.kb) continue
        // two lines of one bundle meet at its middle: they cross only if they change sides there
        if (s.bundle !== null && s.bundle === t.bundle) { if (cross(s.ends[0], s.ends[1], t.ends[0], t.ends[1])) count++ } else if (piecesCross(s, t)) count++
      }
    }
    return count
  }
  // The bundles drawn: for each, the middle (t = 1/2) of each of its curves, in pixels of the canvas.
  function bundlesNow () {
    var view = network.getViewPosition()
    var scale = network.getScale()
    var size = canvasSize()
    var out = {}
    lines.forEach(function (l) {
      if (l.bundle === undefined) return
      var pts = drawnPoints(l, view, scale, size)
      var m = pts[CURVE_STEPS / 2]
      ;(out[l.bundle] = out[l.bundle] || []).push({ x: m.x, y: m.y, from: l.a.key, to: l.b.key })
    })
    return Object.keys(out).map(function (k) { return { bundle: Number(k), middles: out[k] } })
  }

  // ---- downloads of the view as it is drawn
  function filename (ext) {
    var focus = String(data.focus || 'system')
    return 'pathways-map-' + focus.replace(/[^a-zA-Z0-9.-]+/g, '-').slice(0, 60) + '.' + ext
  }
  function save (blob, name) {
    var a = document.createElement('a')
    a.href = URL.createObjectURL(blob)
    a.download = name
    document.body.appendChild(a)
    a.click()
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove() }, 1000)
  }
  function png () {
    var source = container.querySelector('canvas')
    var out = document.createElement('canvas')
    out.width = source.width
    out.height = source.height
    var ctx = out.getContext('2d')
    ctx.fillStyle = '#ffffff'
    ctx.fillRect(0, 0, out.width, out.height)
    ctx.drawImage(source, 0, 0)
    out.toBlob(function (blob) { save(blob, filename('png')) }, 'image/png')
  }
  var SHAPES = { square: 'rect', diamond: 'diamond', hexagon: 'hexagon', triangle: 'triangle', triangleDown: 'triangleDown' }
  function svgText () {
    var NS = 'http://www.w3.org/2000/svg'
    var size = canvasSize()
    var view = network.getViewPosition()
    var scale = network.getScale()
    var svg = document.createElementNS(NS, 'svg')
    svg.setAttribute('xmlns', NS)
    svg.setAttribute('width', size.w)
    svg.setAttribute('height', size.h)
    svg.setAttribute('viewBox', '0 0 ' + size.w + ' ' + size.h)
    function add (parent, tag, attrs, text) {
      var el = document.createElementNS(NS, tag)
      Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]) })
      if (text !== undefined) el.textContent = text
      parent.appendChild(el)
      return el
    }
    add(svg, 'rect', { x: 0, y: 0, width: size.w, height: size.h, fill: '#ffffff' })
    var edgeGroup = add(svg, 'g', { stroke: '#8a8d8f', 'stroke-opacity': '0.6' })
    lines.forEach(function (l) {
      var a = toDOM(l.a.x, l.a.y, view, scale, size)
      var b = toDOM(l.b.x, l.b.y, view, scale, size)
      var width = Math.max(1, l.width * scale).toFixed(2)
      if (l.bend) {
        var c = toDOM(l.bend.x, l.bend.y, view, scale, size)
        add(edgeGroup, 'path', { d: 'M' + a.x.toFixed(1) + ',' + a.y.toFixed(1) + ' Q' + c.x.toFixed(1) + ',' + c.y.toFixed(1) +
                                 ' ' + b.x.toFixed(1) + ',' + b.y.toFixed(1), fill: 'none', 'stroke-width': width })
      } else {
        add(edgeGroup, 'line', { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), 'stroke-width': width })
      }
    })
    var nodeGroup = add(svg, 'g', { stroke: '#0b0c0c' })
    var groups = data.options.groups
    nodes.get({ filter: function (n) { return !n.hidden } }).forEach(function (n) {
      var style = n.group ? groups[n.group] : { shape: 'dot', color: n.color }
      var p = toDOM(n.x, n.y, view, scale, size)
      var r = n.size * scale
      var fill = (style.color && style.color.background) || '#b1b4b6'
      var shape = SHAPES[style.shape]
      var pts
      if (shape === 'rect') add(nodeGroup, 'rect', { x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r, fill: fill })
      else if (shape) {
        pts = shape === 'diamond' ? [[0, -1], [1, 0], [0, 1], [-1, 0]]
          : shape === 'triangle' ? [[0, -1], [1, 0.8], [-1, 0.8]]
            : shape === 'triangleDown' ? [[-1, -0.8], [1, -0.8], [0, 1]]
              : [[-0.5, -0.9], [0.5, -0.9], [1, 0], [0.5, 0.9], [-0.5, 0.9], [-1, 0]]
        add(nodeGroup, 'polygon', { points: pts.map(function (q) { return (p.x + q[0] * r).toFixed(1) + ',' + (p.y + q[1] * r).toFixed(1) }).join(' '), fill: fill })
      } else add(nodeGroup, 'circle', { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: r.toFixed(1), fill: fill })
    })
    var labelGroup = add(svg, 'g', { 'font-family': 'Arial, sans-serif', 'text-anchor': 'middle', fill: '#0b0c0c' })
    var font = pathway ? FONT * scale : FONT
    var step = data.line_height * font / FONT
    drawn.forEach(function (box) {
      var c = null
      for (var k = 0; k < candidates.length; k++) if (candidates[k].id === box.id) { c = candidates[k]; break }
      if (!c) return
      var p = toDOM(c.x, c.y, view, scale, size)
      c.lines.forEach(function (line, k) {
        add(labelGroup, 'text', { x: p.x.toFixed(1), y: (box.top + k * step + font * 0.85).toFixed(1), 'font-size': font.toFixed(1),
                                  'font-weight': c.bold ? 'bold' : 'normal' }, line)
      })
    })
    return new XMLSerializer().serializeToString(svg)
  }

  function hook (id, fn) {
    var el = document.getElementById(id)
    if (el) { el.hidden = false; el.addEventListener('click', function (event) { event.preventDefault(); fn() }) }
  }
  hook('map-download-png', png)
  hook('map-download-svg', function () { save(new Blob([svgText()], { type: 'image/svg+xml' }), filename('svg')) })
  hook('map-open-all', function () { openAll(true); fit(); writeState() })
  hook('map-close-all', function () { openAll(false); fit(); writeState() })
  hook('map-fit', function () { fit(); network.redraw(); writeState() })
  hook('map-copy-link', function () {
    writeState()
    var link = window.location.href
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(function () { status.textContent = 'The link to this view is copied.' },
        function () { status.textContent = 'Copy the link from the box: ' + link })
    } else status.textContent = 'Copy the link from the box.'
  })
  var shareBox = document.getElementById('map-share')
  if (shareBox) shareBox.hidden = false

  // ---- the first view: as the address says, else the whole view
  var zoom = Number(params.get('zoom'))
  var px = Number(params.get('x'))
  var py = Number(params.get('y'))
  if (params.get('zoom') && zoom > 0 && isFinite(px) && isFinite(py) && params.get('x') !== null && params.get('y') !== null) {
    network.moveTo({ position: { x: px, y: py }, scale: zoom, animation: false })
  } else {
    fit()
  }
  renderOpenList()
  var wanted = params.get('selected')
  if (wanted && cards[wanted]) {
    network.selectNodes([wanted])
    selected = index[wanted]
    showCard(wanted)
  }

  var settled = false
  function markSettled () {
    if (settled) return
    settled = true
    if (window.performance && performance.mark) performance.mark('map-settled')
    container.setAttribute('data-state', 'settled')
    var closed = clusterOrder.filter(function (cid) { return !open[cid] }).length
    status.textContent = 'The map shows ' + records.length + ' records' +
      (closed ? ', in ' + clusterOrder.length + ' clusters (' + closed + ' closed: choose one to open it)' : '') +
      '. Choose a record to see how to contact it.'
    writeState()
  }
  network.once('afterDrawing', function () { setTimeout(markSettled, 0) })
  network.redraw()

  var form = document.getElementById('map-search')
  var input = document.getElementById('map-search-input')
  var results = document.getElementById('map-search-results')
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault()
      results.replaceChildren()
      var q = input.value.trim().toLowerCase()
      if (!q) {
        status.textContent = 'Enter part of a name to find it on the map.'
        return
      }
      var found = Object.keys(cards).filter(function (id) {
        return cards[id].name.toLowerCase().indexOf(q) >= 0 || id.indexOf(q) >= 0
      })
      if (!found.length) {
        status.textContent = 'No record on this map matches ‘' + input.value.trim() + '’. To focus the map on a record anywhere in the registry, use “Focus the map on”.'
        return
      }
      status.textContent = found.length + (found.length === 1 ? ' record matches.' : ' records match.') +
        (found.length > 10 ? ' The first 10 are listed.' : '')
      found.slice(0, 10).forEach(function (id) {
        var li = element('li')
        var button = element('button', 'govuk-button govuk-button--secondary govuk-!-margin-bottom-1', cards[id].name)
        button.type = 'button'
        button.addEventListener('click', function () { choose(id, true) })
        li.appendChild(button)
        results.appendChild(li)
      })
      choose(found[0], true)
    })
  }

  // One listener for every "Show on map" button in the table (there may be hundreds).
  var table = document.getElementById('map-nodes')
  if (table) {
    table.querySelectorAll('[data-show-node]').forEach(function (button) { button.hidden = false })
    table.addEventListener('click', function (event) {
      var button = event.target.closest('[data-show-node]')
      if (!button || !cards[button.getAttribute('data-show-node')]) return
      choose(button.getAttribute('data-show-node'), true)
      container.scrollIntoView()
    })
  }

  window.pathwaysMap = {
    network: network, showCard: showCard, choose: choose, records: records.length,
    relationships: data.edges.length, layout: data.layout,
    openCluster: function (cid) { setOpen(cid, true); network.redraw(); writeState() },
    openAll: function () { openAll(true) },
    closeCluster: closeCluster,
    clusters: function () { return clusterOrder.map(function (cid) { return { id: cid, name: clusters[cid].name, count: clusters[cid].count, open: open[cid] } }) },
    // the labels drawn in the last frame, in pixels of the canvas: [{id, left, top, right, bottom}]
    labels: function () { return drawn.slice() },
    skippedLabels: function () { return skipped },
    labelsAtEdge: function () { return atEdge },
    crossings: crossingsNow,
    bundles: bundlesNow,
    svg: svgText,
    fit: fit,
    // the address is rewritten after every zoom, drag, cluster opened or record chosen; a script
    // that moves the view itself calls this
    remember: writeState
  }
})()
