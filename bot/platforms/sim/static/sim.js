/* 政企同行·有需必应 模拟器（演示）— plain browser JavaScript, no build step.
 *
 * Talks to the simulator API on the same origin:
 *   GET  /sim/api/users
 *   POST /sim/api/messages   {user, text, id}
 *   GET  /sim/api/inbox?user=…&after=…
 *
 * All server text is put on the page with textContent / DOM nodes, never innerHTML.
 * Each person's conversation (what they typed, the replies, the pushes from their inbox and
 * the inbox cursor) is kept per browser tab in sessionStorage.
 */
(function () {
  'use strict';

  var API = '/sim/api';
  var STORE_KEY = 'zhengqi-sim.v1';
  var POLL_MS = 1000;            // the selected person's inbox
  var OTHERS_POLL_MS = 3000;     // a light sweep over everyone else, for unread badges
  var HOT_BATCH = 12;            // people opened in this tab: each sweep (round-robin past 12)
  var COLD_BATCH = 3;            // everyone else: this many per sweep, round-robin
  var MAX_KEEP = 300;            // messages kept per person
  var SEND_TIMEOUT_MS = 30000;
  var POLL_TIMEOUT_MS = 10000;
  var ROLE_ORDER = ['business', 'helper', 'coordinator', 'leader', 'hub'];
  var ROLE_LABELS = {
    business: '经营主体', helper: '助企服务员', coordinator: '需求协调员', leader: '分管领导', hub: '中枢'
  };
  var GUEST_ROLE = 'guest';
  var GUEST_LABEL = '新用户（未登记）';

  var state = {
    roster: [],        // [{id, name, role, role_label, organisation}]
    guests: [],        // ids of unknown writers created in this tab
    current: '',
    convs: {},         // id -> {messages: [], cursor: string|null, unread: number}
    sending: false,
    rosterLoaded: false
  };
  var inflight = {};   // user id -> true while an inbox request is running
  var sweepPointer = { hot: 0, cold: 0 };

  var el = {};

  /* ---------- small helpers ---------- */

  function $(id) { return document.getElementById(id); }

  function h(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function str(value) {
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : String(value);
  }

  function randomToken(length) {
    var alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
    var out = '';
    var bytes = new Uint8Array(length);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    for (var j = 0; j < length; j++) out += alphabet[bytes[j] % alphabet.length];
    return out;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  var timeFormat = null;
  try {
    timeFormat = new Intl.DateTimeFormat('zh-CN', {
      timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hour12: false
    });
  } catch (e) { timeFormat = null; }

  function formatTime(iso) {
    var date = new Date(iso);
    if (!iso || isNaN(date.getTime())) return '';
    if (timeFormat) return timeFormat.format(date);
    return date.toLocaleString();
  }

  function isFinePointer() {
    return !!(window.matchMedia && window.matchMedia('(pointer: fine)').matches);
  }

  /* ---------- API ---------- */

  function ApiError(message, status) {
    this.message = message;
    this.status = status || 0;
  }

  function api(method, path, body, timeoutMs) {
    var ctrl = typeof AbortController !== 'undefined' ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, timeoutMs || SEND_TIMEOUT_MS) : null;
    var options = { method: method, cache: 'no-store', credentials: 'same-origin', headers: {} };
    if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    if (ctrl) options.signal = ctrl.signal;
    return fetch(API + path, options).then(function (resp) {
      return resp.text().then(function (raw) {
        if (timer) clearTimeout(timer);
        var data = null;
        try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var msg = data && typeof data.error === 'string' && data.error
            ? data.error : '服务器返回错误（HTTP ' + resp.status + '）';
          throw new ApiError(msg, resp.status);
        }
        if (!data || typeof data !== 'object') {
          throw new ApiError('服务器返回的内容无法识别', resp.status);
        }
        return data;
      });
    }, function () {
      if (timer) clearTimeout(timer);
      if (ctrl && ctrl.signal.aborted) throw new ApiError('服务器响应超时，请稍后重试', 0);
      throw new ApiError('无法连接模拟器服务，请确认服务正在运行', 0);
    });
  }

  /* ---------- storage ---------- */

  function save() {
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify({
        current: state.current, guests: state.guests, convs: state.convs
      }));
    } catch (e) { /* storage full or disabled: keep going in memory */ }
  }

  function load() {
    var raw = null;
    try { raw = sessionStorage.getItem(STORE_KEY); } catch (e) { raw = null; }
    if (!raw) return;
    try {
      var data = JSON.parse(raw);
      if (data && typeof data === 'object') {
        state.current = typeof data.current === 'string' ? data.current : '';
        state.guests = Array.isArray(data.guests) ? data.guests.filter(function (g) { return typeof g === 'string'; }) : [];
        state.convs = data.convs && typeof data.convs === 'object' ? data.convs : {};
      }
    } catch (e) { /* a damaged store starts afresh */ }
    Object.keys(state.convs).forEach(function (id) {
      var conv = state.convs[id];
      if (!conv || !Array.isArray(conv.messages)) { delete state.convs[id]; return; }
      conv.unread = conv.unread || 0;
      conv.cursor = typeof conv.cursor === 'string' ? conv.cursor : null;
      conv.messages.forEach(function (m) {
        if (m.from === 'user' && m.status === 'sending') {
          m.status = 'failed';
          m.error = '页面刷新前未确认是否送达';
          m.retryable = true;
        }
      });
    });
  }

  function conv(id) {
    if (!state.convs[id]) state.convs[id] = { messages: [], cursor: null, unread: 0 };
    return state.convs[id];
  }

  /* ---------- people ---------- */

  function person(id) {
    for (var i = 0; i < state.roster.length; i++) {
      if (state.roster[i].id === id) return state.roster[i];
    }
    return {
      id: id, name: '新用户', role: GUEST_ROLE, role_label: GUEST_LABEL,
      organisation: '未登记（' + id + '）'
    };
  }

  function everyone() {
    var ids = state.roster.map(function (p) { return p.id; });
    state.guests.forEach(function (g) { if (ids.indexOf(g) < 0) ids.push(g); });
    return ids;
  }

  function groups() {
    var byRole = {};
    var order = [];
    state.roster.forEach(function (p) {
      var key = p.role || p.role_label || '其他';
      if (!byRole[key]) {
        byRole[key] = { label: p.role_label || ROLE_LABELS[p.role] || key, people: [] };
        order.push(key);
      }
      byRole[key].people.push(p);
    });
    order.sort(function (a, b) {
      var ia = ROLE_ORDER.indexOf(a), ib = ROLE_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    var out = order.map(function (key) { return { role: key, label: byRole[key].label, people: byRole[key].people }; });
    var known = state.roster.map(function (p) { return p.id; });
    var guests = state.guests.filter(function (g) { return known.indexOf(g) < 0; }).map(person);
    if (guests.length) out.push({ role: GUEST_ROLE, label: GUEST_LABEL, people: guests });
    return out;
  }

  function optionText(p) {
    var text = p.role === GUEST_ROLE ? '新用户 ' + p.id : p.name + '（' + p.organisation + '）';
    var unread = state.convs[p.id] ? state.convs[p.id].unread : 0;
    if (unread && p.id !== state.current) text += ' · ' + unread + ' 条新消息';
    return text;
  }

  function renderPeople() {
    var select = el.select;
    select.textContent = '';
    var placeholder = h('option', '', '请选择身份…');
    placeholder.value = '';
    select.appendChild(placeholder);

    el.list.textContent = '';
    var list = groups();
    if (!list.length) {
      el.list.appendChild(h('p', 'muted', state.rosterLoaded ? '名册为空' : '正在载入名册…'));
    }
    list.forEach(function (group) {
      var optgroup = document.createElement('optgroup');
      optgroup.label = group.label;
      var section = h('section', 'person-group');
      section.setAttribute('data-role', group.role);
      section.appendChild(h('h3', 'person-group-title', group.label));
      var ul = h('ul', 'person-group-list');
      group.people.forEach(function (p) {
        var option = h('option', '', optionText(p));
        option.value = p.id;
        option.setAttribute('data-user-id', p.id);
        optgroup.appendChild(option);

        var li = h('li');
        var button = h('button', 'person');
        button.type = 'button';
        button.setAttribute('data-user-id', p.id);
        button.setAttribute('data-role', p.role || '');
        var top = h('span', 'person-top');
        top.appendChild(h('span', 'person-name', p.role === GUEST_ROLE ? '新用户' : p.name));
        var badge = h('span', 'badge unread-badge');
        badge.setAttribute('data-user-id', p.id);
        badge.hidden = true;
        top.appendChild(badge);
        button.appendChild(top);
        button.appendChild(h('span', 'person-org', p.role === GUEST_ROLE ? p.id : p.organisation));
        button.addEventListener('click', function () { selectPerson(p.id); });
        li.appendChild(button);
        ul.appendChild(li);
      });
      select.appendChild(optgroup);
      section.appendChild(ul);
      el.list.appendChild(section);
    });
    select.value = state.current || '';
    markCurrent();
    updateBadges();
    applyFilter();
  }

  function applyFilter() {
    var words = el.filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var sections = el.list.querySelectorAll('.person-group');
    for (var i = 0; i < sections.length; i++) {
      var items = sections[i].querySelectorAll('li');
      var shown = 0;
      for (var j = 0; j < items.length; j++) {
        var hay = (items[j].textContent + ' ' +
          items[j].querySelector('.person').getAttribute('data-user-id')).toLowerCase();
        var match = words.every(function (w) { return hay.indexOf(w) >= 0; });
        items[j].hidden = !match;
        if (match) shown++;
      }
      sections[i].hidden = !shown;
    }
  }

  function markCurrent() {
    var buttons = el.list.querySelectorAll('button.person');
    for (var i = 0; i < buttons.length; i++) {
      var isCurrent = buttons[i].getAttribute('data-user-id') === state.current;
      if (isCurrent) buttons[i].setAttribute('aria-current', 'true');
      else buttons[i].removeAttribute('aria-current');
    }
  }

  function updateBadges() {
    var others = 0;
    var badges = el.list.querySelectorAll('.unread-badge');
    for (var i = 0; i < badges.length; i++) {
      var id = badges[i].getAttribute('data-user-id');
      var n = id !== state.current && state.convs[id] ? state.convs[id].unread : 0;
      badges[i].hidden = !n;
      badges[i].textContent = n ? String(n > 99 ? '99+' : n) : '';
      badges[i].setAttribute('aria-label', n ? n + ' 条新消息' : '');
    }
    var options = el.select.querySelectorAll('option[data-user-id]');
    for (var j = 0; j < options.length; j++) {
      var text = optionText(person(options[j].value));
      if (options[j].textContent !== text) options[j].textContent = text;
    }
    var waiting = everyone().filter(function (id) {
      return id !== state.current && state.convs[id] && state.convs[id].unread;
    });
    el.othersUnread.textContent = '';
    if (waiting.length) {
      el.othersUnread.appendChild(h('span', 'others-unread-label', '其他人有新消息：'));
      waiting.forEach(function (id) {
        var n = state.convs[id].unread;
        others += n;
        var p = person(id);
        var jump = h('button', 'unread-jump', (p.role === GUEST_ROLE ? p.id : p.name) + ' ' + n + ' 条');
        jump.type = 'button';
        jump.setAttribute('data-user-id', id);
        jump.title = '切换到「' + (p.role === GUEST_ROLE ? p.id : p.name) + '」';
        jump.addEventListener('click', function () { selectPerson(id); });
        el.othersUnread.appendChild(jump);
      });
    }
    el.othersUnread.hidden = !waiting.length;
    document.title = (others ? '(' + others + ') ' : '') + '政企同行·有需必应 模拟器（演示）';
  }

  function selectPerson(id) {
    if (!id) return;
    if (state.roster.every(function (p) { return p.id !== id; }) && state.guests.indexOf(id) < 0) {
      state.guests.push(id);
      renderPeople();
    }
    state.current = id;
    var c = conv(id);
    c.unread = 0;
    c.opened = true;
    save();
    el.select.value = id;
    markCurrent();
    updateBadges();
    renderCurrentPerson();
    renderChat();
    hideSendError();
    updateComposer();
    try { history.replaceState(null, '', '#as=' + encodeURIComponent(id)); } catch (e) { /* ignore */ }
    if (isFinePointer()) el.input.focus();
    pollUser(id);
  }

  function newGuest() {
    var id = 'guest-' + randomToken(8);
    state.guests.push(id);
    renderPeople();
    selectPerson(id);
  }

  function renderCurrentPerson() {
    var box = el.currentPerson;
    box.textContent = '';
    if (!state.current) return;
    var p = person(state.current);
    box.appendChild(h('span', 'role-tag role-' + (p.role || 'other'), p.role_label || ROLE_LABELS[p.role] || ''));
    box.appendChild(h('span', 'current-name', p.role === GUEST_ROLE ? '新用户（未登记）' : p.name));
    box.appendChild(h('span', 'current-org', p.role === GUEST_ROLE ? '编号 ' + p.id : p.organisation));
  }

  /* ---------- chat rendering ---------- */

  function nearBottom() {
    var log = el.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 120;
  }

  var pinned = true;

  function scrollToBottom() {
    el.log.scrollTop = el.log.scrollHeight;
    pinned = true;
  }

  function renderChat() {
    var log = el.log;
    log.textContent = '';
    if (!state.current) {
      log.appendChild(emptyHint(null));
      return;
    }
    var messages = conv(state.current).messages;
    if (!messages.length) log.appendChild(emptyHint(person(state.current)));
    messages.forEach(function (m) { log.appendChild(messageNode(m)); });
    scrollToBottom();
  }

  function emptyHint(p) {
    var box = h('div', 'empty-hint');
    if (!p) {
      box.appendChild(h('p', '', '请先在名册中选择一个身份，或点击「新用户（未登记）」以陌生人身份发言。'));
      box.appendChild(h('p', 'muted', '每个人的对话分开保存；切换身份即可查看对方收到的推送。'));
      return box;
    }
    var suggestion = null;
    if (p.role === 'business') {
      box.appendChild(h('p', '', '您正以经营主体的身份发言。直接描述遇到的困难或诉求即可，例如：'));
      suggestion = '我们店门口的人行道砖破损，顾客容易绊倒，想请帮忙协调办理。';
    } else if (p.role === GUEST_ROLE) {
      box.appendChild(h('p', '', '这是一个未登记的新用户（编号 ' + p.id + '）。发送任意消息，机器人会引导登记。'));
      suggestion = '你好，我想反映一个问题。';
    } else {
      box.appendChild(h('p', '', '发给「' + p.name + '」的推送（新诉求、提醒、督办等）会自动出现在这里。'));
      box.appendChild(h('p', 'muted', '可以点击卡片上的按钮，或直接输入命令，例如「查询 #12」。'));
    }
    if (suggestion) {
      var button = h('button', 'suggestion', suggestion);
      button.type = 'button';
      button.setAttribute('data-fill', suggestion);
      button.addEventListener('click', function () { fillInput(suggestion); });
      box.appendChild(button);
    }
    return box;
  }

  function statusText(m) {
    if (m.status === 'sending') return '发送中…';
    if (m.status === 'failed') return '未送达';
    if (m.status === 'duplicate') return '重复消息，服务器已处理过';
    return '';
  }

  function messageNode(m) {
    var isUser = m.from === 'user';
    var node = h('div', 'msg ' + (isUser ? 'user' : 'bot') + (m.push ? ' push' : ''));
    node.setAttribute('data-msg-id', m.id);
    if (isUser && m.status) node.setAttribute('data-status', m.status);
    if (m.ticket !== null && m.ticket !== undefined) node.setAttribute('data-ticket', String(m.ticket));

    var meta = h('div', 'msg-meta');
    if (!isUser) {
      meta.appendChild(h('span', m.push ? 'push-tag' : 'reply-tag', m.push ? '推送' : '机器人'));
    }
    var time = h('time', 'msg-time', formatTime(m.at));
    if (m.at) time.setAttribute('datetime', m.at);
    meta.appendChild(time);
    if (isUser && statusText(m)) meta.appendChild(h('span', 'msg-status', statusText(m)));
    node.appendChild(meta);

    var bubble = h('div', 'bubble');
    if (m.text) bubble.appendChild(h('div', 'msg-text', m.text));
    if (m.card) bubble.appendChild(cardNode(m.card));
    node.appendChild(bubble);

    if (!isUser && m.ticket !== null && m.ticket !== undefined) {
      var foot = h('div', 'msg-foot');
      var chip = h('button', 'ticket-chip', '工单 #' + m.ticket);
      chip.type = 'button';
      chip.setAttribute('data-ticket', String(m.ticket));
      chip.title = '在输入框填入「查询 #' + m.ticket + '」';
      chip.addEventListener('click', function () { fillInput('查询 #' + m.ticket); });
      foot.appendChild(chip);
      node.appendChild(foot);
    }

    if (isUser && m.status === 'failed') {
      var fail = h('div', 'msg-error');
      fail.setAttribute('role', 'alert');
      fail.appendChild(h('span', 'msg-error-text', m.error || '发送失败'));
      var actions = h('span', 'msg-error-actions');
      if (m.retryable) {
        var retry = h('button', 'btn-small retry-button', '重试');
        retry.type = 'button';
        retry.disabled = state.sending;
        retry.addEventListener('click', function () { deliver(state.current, m); });
        actions.appendChild(retry);
      }
      var edit = h('button', 'btn-small edit-button', '重新编辑');
      edit.type = 'button';
      edit.addEventListener('click', function () { fillInput(m.text); });
      actions.appendChild(edit);
      fail.appendChild(actions);
      node.appendChild(fail);
    }
    return node;
  }

  function cardNode(card) {
    var box = h('div', 'card');
    if (card.title) box.appendChild(h('div', 'card-title', card.title));
    if (card.lines.length) {
      var ul = h('ul', 'card-lines');
      card.lines.forEach(function (line) { ul.appendChild(h('li', '', line)); });
      box.appendChild(ul);
    }
    if (card.buttons.length) {
      var row = h('div', 'card-buttons');
      card.buttons.forEach(function (b) {
        var button = h('button', 'card-button', b.label);
        button.type = 'button';
        button.setAttribute('data-command', b.command);
        button.title = '发送「' + b.command + '」';
        button.disabled = state.sending;
        button.addEventListener('click', function () { send(b.command, true); });
        row.appendChild(button);
      });
      box.appendChild(row);
    }
    return box;
  }

  function normaliseCard(card) {
    if (!card || typeof card !== 'object') return null;
    var lines = Array.isArray(card.lines) ? card.lines.map(str).filter(function (l) { return l !== ''; }) : [];
    var buttons = Array.isArray(card.buttons) ? card.buttons.filter(function (b) {
      return b && typeof b === 'object' && str(b.command).trim() !== '';
    }).map(function (b) {
      return { label: str(b.label) || str(b.command), command: str(b.command) };
    }) : [];
    var title = str(card.title);
    if (!title && !lines.length && !buttons.length) return null;
    return { title: title, lines: lines, buttons: buttons };
  }

  function normaliseBot(raw, isPush) {
    raw = raw && typeof raw === 'object' ? raw : {};
    var ticket = null;
    if (typeof raw.ticket === 'number' && isFinite(raw.ticket)) ticket = raw.ticket;
    else if (typeof raw.ticket === 'string' && /^\d+$/.test(raw.ticket)) ticket = parseInt(raw.ticket, 10);
    return {
      id: str(raw.id) || 'local-' + randomToken(10),
      from: 'bot',
      push: !!isPush,
      text: str(raw.text),
      ticket: ticket,
      card: normaliseCard(raw.card),
      at: str(raw.at) || new Date().toISOString()
    };
  }

  function addMessage(userId, m) {
    var c = conv(userId);
    for (var i = 0; i < c.messages.length; i++) {
      if (c.messages[i].id === m.id && c.messages[i].from === m.from) return false;
    }
    c.messages.push(m);
    if (c.messages.length > MAX_KEEP) c.messages.splice(0, c.messages.length - MAX_KEEP);
    if (userId === state.current) {
      var stick = m.from === 'user' || pinned || nearBottom();
      var hint = el.log.querySelector('.empty-hint');
      if (hint) hint.remove();
      el.log.appendChild(messageNode(m));
      if (stick) scrollToBottom();
    } else if (m.from === 'bot') {
      c.unread = (c.unread || 0) + 1;
      updateBadges();
    }
    save();
    return true;
  }

  function refreshMessage(userId, m) {
    save();
    if (userId !== state.current) return;
    var nodes = el.log.querySelectorAll('.msg.user');
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].getAttribute('data-msg-id') === m.id) {
        nodes[i].replaceWith(messageNode(m));
        return;
      }
    }
  }

  /* ---------- composer ---------- */

  function fillInput(text) {
    if (!state.current) return;
    el.input.value = text;
    autoresize();
    el.input.focus();
    try { el.input.setSelectionRange(text.length, text.length); } catch (e) { /* ignore */ }
  }

  function autoresize() {
    el.input.style.height = 'auto';
    el.input.style.height = Math.min(el.input.scrollHeight + 2, 200) + 'px';
  }

  function updateComposer() {
    var ready = !!state.current;
    el.input.disabled = !ready;
    el.input.readOnly = state.sending;
    el.send.disabled = !ready || state.sending;
    el.send.textContent = state.sending ? '发送中…' : '发送';
    el.form.setAttribute('aria-busy', state.sending ? 'true' : 'false');
    el.form.classList.toggle('is-sending', state.sending);
    if (ready) {
      var p = person(state.current);
      el.input.placeholder = '以「' + (p.role === GUEST_ROLE ? '新用户' : p.name) + '」的身份输入消息…';
    } else {
      el.input.placeholder = '请先选择身份';
    }
    var buttons = el.log.querySelectorAll('.card-button, .retry-button');
    for (var i = 0; i < buttons.length; i++) buttons[i].disabled = state.sending;
  }

  function showSendError(message) {
    el.sendError.textContent = message;
    el.sendError.hidden = false;
  }

  function hideSendError() {
    el.sendError.textContent = '';
    el.sendError.hidden = true;
  }

  function send(text, fromCard) {
    if (state.sending || !state.current) return;
    if (!text || !text.trim()) {
      showSendError('请输入消息内容');
      return;
    }
    var m = {
      id: 'c-' + Date.now().toString(36) + '-' + randomToken(6),
      from: 'user',
      text: text,
      at: new Date().toISOString(),
      status: 'sending'
    };
    addMessage(state.current, m);
    if (!fromCard) {
      el.input.value = '';
      autoresize();
    }
    deliver(state.current, m);
  }

  function deliver(userId, m) {
    if (state.sending) return;
    state.sending = true;
    m.status = 'sending';
    m.error = '';
    refreshMessage(userId, m);
    hideSendError();
    updateComposer();
    api('POST', '/messages', { user: userId, text: m.text, id: m.id }, SEND_TIMEOUT_MS).then(function (data) {
      m.status = data.duplicate ? 'duplicate' : 'sent';
      refreshMessage(userId, m);
      var replies = Array.isArray(data.replies) ? data.replies : [];
      replies.forEach(function (r) { addMessage(userId, normaliseBot(r, false)); });
    }, function (err) {
      m.status = 'failed';
      m.error = err.message || '发送失败';
      // 4xx means the server understood and refused: sending the same again will not help.
      m.retryable = !(err.status >= 400 && err.status < 500) || err.status === 408 || err.status === 429;
      refreshMessage(userId, m);
      if (userId === state.current) showSendError('发送失败：' + m.error);
    }).then(function () {
      state.sending = false;
      updateComposer();
      if (isFinePointer() && userId === state.current) el.input.focus();
    });
  }

  /* ---------- polling ---------- */

  function setConnection(ok, message) {
    el.conn.hidden = ok;
    el.conn.textContent = ok ? '' : message;
  }

  function pollUser(id) {
    if (!id || inflight[id]) return Promise.resolve();
    inflight[id] = true;
    var c = conv(id);
    var query = '?user=' + encodeURIComponent(id) + (c.cursor ? '&after=' + encodeURIComponent(c.cursor) : '');
    return api('GET', '/inbox' + query, undefined, POLL_TIMEOUT_MS).then(function (data) {
      if (state.convs[id] !== c) return;          // history was cleared meanwhile
      var list = Array.isArray(data.messages) ? data.messages : [];
      list.forEach(function (raw) { addMessage(id, normaliseBot(raw, true)); });
      if (typeof data.cursor === 'string' && data.cursor) c.cursor = data.cursor;
      save();
      if (id === state.current) setConnection(true);
    }, function (err) {
      if (err.status >= 400 && err.status < 500 && c.cursor) {
        // e.g. the server was restarted and no longer knows the cursor: fetch everything
        // again; messages already shown are recognised by their id.
        c.cursor = null;
        save();
      }
      if (id === state.current) {
        setConnection(false, err.status ? '收取推送失败：' + err.message : '与服务器的连接中断，正在重试…');
      }
    }).then(function () {
      delete inflight[id];
    });
  }

  function pollLoop() {
    sleep(POLL_MS).then(function () {
      return state.current ? pollUser(state.current) : null;
    }).then(pollLoop, pollLoop);
  }

  // Take up to n items from list, round-robin from pointer[key].
  function takeRound(list, key, n) {
    var out = [];
    if (!list.length) return out;
    var start = sweepPointer[key] % list.length;
    for (var i = 0; i < Math.min(n, list.length); i++) out.push(list[(start + i) % list.length]);
    sweepPointer[key] = (start + out.length) % list.length;
    return out;
  }

  // Everyone opened in this tab (or with unread messages) is checked on every sweep; the rest
  // of the roster a few at a time, so a large roster does not flood the server.
  function sweepOthers() {
    var others = everyone().filter(function (id) { return id !== state.current; });
    var hot = others.filter(function (id) {
      var c = state.convs[id];
      return c && (c.opened || c.unread);
    });
    var cold = others.filter(function (id) { return hot.indexOf(id) < 0; });
    var batch = takeRound(hot, 'hot', HOT_BATCH).concat(takeRound(cold, 'cold', COLD_BATCH));
    var chain = Promise.resolve();
    batch.forEach(function (id) { chain = chain.then(function () { return pollUser(id); }); });
    return chain;
  }

  function sweepLoop() {
    sleep(OTHERS_POLL_MS).then(function () {
      return state.rosterLoaded ? sweepOthers() : null;
    }).then(sweepLoop, sweepLoop);
  }

  /* ---------- start-up ---------- */

  function loadRoster() {
    el.rosterError.hidden = true;
    return api('GET', '/users', undefined, POLL_TIMEOUT_MS).then(function (data) {
      var users = Array.isArray(data.users) ? data.users : [];
      state.roster = users.filter(function (u) { return u && typeof u === 'object' && str(u.id); }).map(function (u) {
        return {
          id: str(u.id), name: str(u.name) || str(u.id), role: str(u.role),
          role_label: str(u.role_label) || ROLE_LABELS[str(u.role)] || str(u.role),
          organisation: str(u.organisation)
        };
      });
      state.rosterLoaded = true;
      renderPeople();
    }, function (err) {
      el.rosterError.textContent = '';
      el.rosterError.appendChild(h('span', '', '名册载入失败：' + err.message + ' '));
      var retry = h('button', 'btn-small', '重新载入');
      retry.type = 'button';
      retry.addEventListener('click', function () { loadRoster().then(restoreSelection); });
      el.rosterError.appendChild(retry);
      el.rosterError.hidden = false;
      renderPeople();
    });
  }

  function restoreSelection() {
    var fromHash = /^#as=(.+)$/.exec(location.hash);
    var wanted = fromHash ? decodeURIComponent(fromHash[1]) : state.current;
    if (wanted) selectPerson(wanted);
    else { renderChat(); updateComposer(); }
  }

  function clearHistory() {
    if (!window.confirm('确定清空本页保存的所有聊天记录吗？\n（只清空本浏览器页面中的记录，不影响服务器上的数据；推送会重新从服务器载入。）')) return;
    state.convs = {};
    save();
    updateBadges();
    renderChat();
    if (state.current) pollUser(state.current);
  }

  function init() {
    el.select = $('person-select');
    el.list = $('person-list');
    el.log = $('chat-log');
    el.form = $('composer');
    el.input = $('message-input');
    el.send = $('send-button');
    el.sendError = $('send-error');
    el.conn = $('conn-status');
    el.currentPerson = $('current-person');
    el.othersUnread = $('others-unread');
    el.rosterError = $('roster-error');
    el.filter = $('person-filter');

    load();

    el.select.addEventListener('change', function () {
      if (el.select.value) selectPerson(el.select.value);
    });
    $('new-guest-button').addEventListener('click', newGuest);
    $('new-guest-button-compact').addEventListener('click', newGuest);
    $('clear-history').addEventListener('click', clearHistory);
    el.filter.addEventListener('input', applyFilter);
    el.form.addEventListener('submit', function (event) {
      event.preventDefault();
      send(el.input.value, false);
    });
    el.input.addEventListener('keydown', function (event) {
      // Enter sends; Shift+Enter is a newline; Enter that confirms an IME candidate
      // (Chinese input) must not send.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
        event.preventDefault();
        send(el.input.value, false);
      }
    });
    el.input.addEventListener('input', function () {
      autoresize();
      if (!el.sendError.hidden && el.input.value.trim()) hideSendError();
    });

    // Stay pinned to the newest message when the log changes size (the header grows when an
    // unread note appears, the phone keyboard opens, the input grows), unless the reader has
    // scrolled up.
    el.log.addEventListener('scroll', function () { pinned = nearBottom(); }, { passive: true });
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(function () { if (pinned) scrollToBottom(); }).observe(el.log);
    }

    renderPeople();
    renderChat();
    updateComposer();
    loadRoster().then(restoreSelection);
    pollLoop();
    sweepLoop();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
