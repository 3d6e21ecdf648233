// The pathway map: draws the records embedded in the page with vis-network (served from the pyvis
// package), shows a record's card when it is chosen, and finds records on the map.
// Every name is text: labels are drawn on the canvas, cards and lists are built with textContent,
// and no node has a title, so vis-network never shows an HTML tooltip.
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
  // Records arrive as compact rows (columns named in data.columns) and relationships as
  // [from index, to index, width]; they are turned into vis-network's objects here.
  var col = {}
  data.columns.forEach(function (name, i) { col[name] = i })
  var cards = {}
  var ids = []
  var nodeList = data.nodes.map(function (row) {
    var id = row[col.id]
    var name = String(row[col.name])
    var card = { name: name, label: row[col.label], kind: row[col.kind], importance: row[col.importance],
                 burden: row[col.burden], contact: row[col.contact] }
    cards[id] = card
    ids.push(id)
    var text = name.length <= 60 ? name : name.slice(0, 57) + '…'
    if (card.label === 'Public') text += ' (' + data.burden_words[(card.burden && card.burden.status) || 'unknown'] + ')'
    var node = { id: id, label: text, group: row[col.group], size: row[col.size] }
    if (row[col.x] !== null) { node.x = row[col.x]; node.y = row[col.y] }
    return node
  })
  var large = !data.physics
  // A small view gives vis-network its edges (arrows, live physics). A large one has fixed
  // positions, so its relationships are drawn here as plain lines under the records, one path per
  // line width: vis-network's own edges cost about a second for 10,000 of them.
  var edgeList = large ? [] : data.edges.map(function (e) {
    var edge = { from: ids[e[0]], to: ids[e[1]] }
    if (e.length > 2) edge.width = e[2]
    return edge
  })
  var nodes = new vis.DataSet(nodeList)
  var edges = new vis.DataSet(edgeList)
  if (window.performance && performance.mark) performance.mark('map-data')
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options)
  if (window.performance && performance.mark) performance.mark('map-network')
  var selected = null
  var index = {}
  ids.forEach(function (id, i) { index[id] = i })
  if (large) {
    var byWidth = {}
    var touching = {}
    data.edges.forEach(function (e) {
      var width = e.length > 2 ? e[2] : 1;
      (byWidth[width] = byWidth[width] || []).push(e);
      (touching[e[0]] = touching[e[0]] || []).push(e);
      (touching[e[1]] = touching[e[1]] || []).push(e)
    })
    var line = function (ctx, e) {
      var a = nodeList[e[0]]
      var b = nodeList[e[1]]
      ctx.moveTo(a.x, a.y)
      ctx.lineTo(b.x, b.y)
    }
    network.on('beforeDrawing', function (ctx) {
      var scale = network.getScale()
      ctx.save()
      ctx.strokeStyle = 'rgba(138, 141, 143, 0.35)'
      Object.keys(byWidth).forEach(function (width) {
        ctx.beginPath()
        ctx.lineWidth = Math.max(Number(width), 1 / scale)
        byWidth[width].forEach(function (e) { line(ctx, e) })
        ctx.stroke()
      })
      if (selected !== null && touching[selected]) {
        ctx.strokeStyle = '#0b0c0c'
        ctx.lineWidth = Math.max(2, 2 / scale)
        ctx.beginPath()
        touching[selected].forEach(function (e) { line(ctx, e) })
        ctx.stroke()
      }
      ctx.restore()
    })
    network.on('selectNode', function (params) { selected = index[params.nodes[0]]; network.redraw() })
    network.on('deselectNode', function () { selected = null; network.redraw() })
    network.fit()
  }

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
    box.appendChild(list)
    var p = element('p', 'govuk-body')
    p.appendChild(safeLink('/records/' + encodeURIComponent(id), 'Open the record for ' + card.name))
    box.appendChild(p)
    box.hidden = false
    box.setAttribute('data-node', id)
  }

  function choose (id, move) {
    network.selectNodes([id])
    selected = index[id]
    if (move) network.focus(id, { scale: 1.1, animation: false })
    showCard(id)
  }

  network.on('click', function (params) {
    if (params.nodes.length) showCard(params.nodes[0])
  })

  var settled = false
  function markSettled () {
    if (settled) return
    settled = true
    if (window.performance && performance.mark) performance.mark('map-settled')
    if (!large) network.setOptions({ physics: false })
    container.setAttribute('data-state', 'settled')
    status.textContent = 'The map shows ' + nodes.length + ' records. Choose one to see how to contact it.'
  }
  if (large || nodes.length === 0) {
    network.once('afterDrawing', markSettled)
  } else {
    network.once('stabilizationIterationsDone', markSettled)
    network.once('stabilized', markSettled)
  }

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
        status.textContent = 'No record on this map matches ‘' + input.value.trim() + '’.'
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

  window.pathwaysMap = { network: network, showCard: showCard, choose: choose, records: nodeList.length,
                        relationships: data.edges.length }
})()
